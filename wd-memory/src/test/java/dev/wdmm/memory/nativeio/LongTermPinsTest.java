package dev.wdmm.memory.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The pins are checked against the kernel's own counters of {@code FOLL_PIN} pages
 * ({@code nr_foll_pin_acquired} / {@code nr_foll_pin_released} in {@code /proc/vmstat}), not
 * against the code's own bookkeeping.
 */
@NeedsKernel(pinning = true)
class LongTermPinsTest {
    private static final int PAGES = 64;

    @Test
    void pinMakesTheKernelCountEveryPageAsPinnedAndUnpinReleasesThem() {
        MemorySegment range = map(PAGES);
        try (LongTermPins pins = LongTermPins.open("test")) {
            long acquired = vmstat("nr_foll_pin_acquired");
            LongTermPins.Pin pin = pins.pin(range);
            assertTrue(
                    vmstatReaches("nr_foll_pin_acquired", acquired + PAGES),
                    "the kernel counted fewer than " + PAGES + " pinned pages");
            assertEquals(PAGES * NativeMemory.pageSize(), pins.pinnedBytes());
            long released = vmstat("nr_foll_pin_released");
            pins.unpin(pin);
            assertTrue(
                    vmstatReaches("nr_foll_pin_released", released + PAGES),
                    "the kernel counted fewer than " + PAGES + " unpinned pages");
            assertEquals(0, pins.pinnedBytes());
        } finally {
            NativeMemory.munmap(range);
        }
    }

    @Test
    void closeUnpinsEverythingStillPinned() {
        MemorySegment range = map(PAGES);
        try {
            LongTermPins pins = LongTermPins.open("test");
            pins.pin(range.asSlice(0, NativeMemory.pageSize() * 16));
            pins.pin(range.asSlice(NativeMemory.pageSize() * 16));
            long released = vmstat("nr_foll_pin_released");
            pins.close();
            assertTrue(vmstatReaches("nr_foll_pin_released", released + PAGES), "close left pages pinned");
            assertEquals(0, pins.pinnedBytes());
            pins.close(); // idempotent
        } finally {
            NativeMemory.munmap(range);
        }
    }

    @Test
    void pinningFaultsInPagesThatWereNeverTouched() {
        MemorySegment range = map(8);
        try (LongTermPins pins = LongTermPins.open("test")) {
            pins.pin(range);
            for (long va = range.address(); va < range.address() + range.byteSize(); va += NativeMemory.pageSize()) {
                assertTrue(Kernel.present(va), "page va=0x" + Long.toHexString(va) + " not present after pin");
            }
        } finally {
            NativeMemory.munmap(range);
        }
    }

    @Test
    void badInputIsRefusedAndPinsNothing() {
        try (LongTermPins pins = LongTermPins.open("test");
                LongTermPins other = LongTermPins.open("other")) {
            assertThrows(NullPointerException.class, () -> pins.pin(null));
            assertThrows(IllegalArgumentException.class, () -> pins.pin(MemorySegment.ofArray(new byte[4096])));
            assertThrows(IllegalArgumentException.class, () -> pins.pin(MemorySegment.NULL));
            assertThrows(NullPointerException.class, () -> pins.unpin(null));
            MemorySegment range = map(1);
            try {
                LongTermPins.Pin pin = pins.pin(range);
                var foreign = assertThrows(IllegalArgumentException.class, () -> other.unpin(pin));
                assertTrue(foreign.getMessage().contains("foreign"), foreign.getMessage());
                pins.unpin(pin);
                var twice = assertThrows(IllegalArgumentException.class, () -> pins.unpin(pin));
                assertTrue(twice.getMessage().contains("already unpinned"), twice.getMessage());
                assertEquals(0, pins.pinnedBytes());
            } finally {
                NativeMemory.munmap(range);
            }
        }
    }

    @Test
    @SuppressWarnings("restricted")
    void unmappedMemoryIsRefusedByTheKernelWithTheCallNamed() {
        MemorySegment range = map(1);
        long address = range.address();
        NativeMemory.munmap(range);
        try (LongTermPins pins = LongTermPins.open("test")) {
            var refused = assertThrows(
                    dev.wdmm.api.WdNativeException.class,
                    () -> pins.pin(MemorySegment.ofAddress(address).reinterpret(NativeMemory.pageSize())));
            assertTrue(refused.getMessage().contains("IORING_REGISTER_BUFFERS_UPDATE"), refused.getMessage());
            assertEquals(0, pins.pinnedBytes());
        }
    }

    @Test
    void useAfterCloseIsRefused() {
        LongTermPins pins = LongTermPins.open("test");
        pins.close();
        MemorySegment range = map(1);
        try {
            assertThrows(IllegalStateException.class, () -> pins.pin(range));
        } finally {
            NativeMemory.munmap(range);
        }
    }

    @Test
    void reportNamesTheMethodTheSysctlsAndTheBudget() {
        LongTermPins.Report report = LongTermPins.report();
        assertTrue(report.available());
        assertEquals("", report.reason());
        String facts = String.join("\n", report.facts());
        assertTrue(facts.contains("kernel.io_uring_disabled="), facts);
        assertTrue(facts.contains("vm.compact_unevictable_allowed="), facts);
        assertTrue(facts.contains("memlock budget for pins"), facts);
    }

    private static MemorySegment map(int pages) {
        return NativeMemory.mmap(
                pages * NativeMemory.pageSize(),
                NativeMemory.PROT_READ | NativeMemory.PROT_WRITE,
                NativeMemory.MAP_PRIVATE);
    }

    /**
     * Whether a counter reaches {@code target} within 5 s: the kernel folds per-CPU counts into
     * /proc/vmstat every vm.stat_interval (1 s), or at once when root writes vm/stat_refresh.
     */
    private static boolean vmstatReaches(String name, long target) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        do {
            try {
                Files.writeString(Path.of("/proc/sys/vm/stat_refresh"), "1");
            } catch (IOException | RuntimeException notRoot) {
                // counters still fold within vm.stat_interval
            }
            if (vmstat(name) >= target) {
                return true;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        } while (System.nanoTime() < deadline);
        return false;
    }

    private static long vmstat(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/vmstat"))) {
                if (line.startsWith(name + " ")) {
                    return Long.parseLong(line.substring(name.length() + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError(name + " not in /proc/vmstat");
    }
}
