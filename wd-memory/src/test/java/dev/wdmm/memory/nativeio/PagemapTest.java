package dev.wdmm.memory.nativeio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.Needs;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.memory.testing.Skip;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagemapTest {
    private static final int RW = NativeMemory.PROT_READ | NativeMemory.PROT_WRITE;
    private static final long PAGE = Kernel.PAGE;

    private final Pagemap pagemap = Pagemap.open();

    @AfterEach
    void close() {
        pagemap.close();
    }

    @Test
    void unavailabilityCauseAgreesWithTheKernel() {
        if (Kernel.pfnsVisible()) {
            assertTrue(
                    Pagemap.unavailabilityCause().isEmpty(),
                    () -> Pagemap.unavailabilityCause().get());
        } else {
            assertTrue(Pagemap.unavailabilityCause().orElseThrow().contains("CAP_SYS_ADMIN"));
        }
    }

    @Test
    @NeedsKernel(pfns = true)
    void everyByteOfTouchedPagesTranslatesLikeTheKernel() {
        MemorySegment m = NativeMemory.mmap(64 * PAGE, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        try {
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < 2000; i++) {
                long va = m.address() + random.nextLong(m.byteSize());
                assertEquals(Kernel.physical(va), pagemap.physicalAddress(va), () -> "va=0x" + Long.toHexString(va));
            }
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void untouchedPageIsNotPresentUntilTouched() {
        MemorySegment m = NativeMemory.mmap(2 * PAGE, RW, NativeMemory.MAP_PRIVATE);
        try {
            long va = m.address() + PAGE + 100;
            assertFalse(Kernel.present(va));
            assertEquals(Kernel.entry(va), pagemap.entry(va));
            WdMappingException e = assertThrows(WdMappingException.class, () -> pagemap.physicalAddress(va));
            assertTrue(e.getMessage().contains("not present"), e.getMessage());
            m.set(ValueLayout.JAVA_BYTE, PAGE + 100, (byte) 1);
            Skip.unless(
                    "PagemapTest.untouchedPageIsNotPresentUntilTouched",
                    Needs.pfns()); // after the checks that need no PFN
            assertEquals(Kernel.physical(va), pagemap.physicalAddress(va));
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void freedAndKernelAddressesAreNotPresent() {
        MemorySegment m = NativeMemory.mmap(PAGE, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        long va = m.address();
        NativeMemory.munmap(m);
        assertEquals(Kernel.entry(va), pagemap.entry(va));
        assertThrows(WdMappingException.class, () -> pagemap.physicalAddress(va));
        long kernel = 0xffff_8000_0000_0000L;
        assertEquals(0, pagemap.entry(kernel));
        assertThrows(WdMappingException.class, () -> pagemap.physicalAddress(kernel));
        assertThrows(WdMappingException.class, () -> pagemap.physicalAddress(-1L));
    }

    @Test
    void batchedEntriesEqualOneByOneReadsAcrossManyBatches() {
        int pages = Pagemap.BATCH + 1000;
        MemorySegment m = NativeMemory.mmap(pages * PAGE, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        try {
            long[] batched = new long[pages + 2];
            long[] kernel = kernelEntries(m.address(), pages);
            for (int round = 1; ; round++) {
                pagemap.entries(m.address() + 123, batched, 1, pages);
                long[] after = kernelEntries(m.address(), pages);
                if (java.util.Arrays.equals(kernel, after) || round == 5) {
                    break;
                }
                // the kernel moved pages meanwhile (compaction, or migration another process provoked): the
                // reading is only comparable while both sides see one state, so read again
                kernel = after;
            }
            assertArrayEquals(kernel, batched);
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    @NeedsKernel(pfns = true)
    void frameNumbersAndContiguousLengthMatchTheKernel() {
        int pages = 512;
        MemorySegment m = NativeMemory.mmap(pages * PAGE, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        try {
            long[] frames = new long[pages];
            pagemap.frameNumbers(m.address() + 7, frames);
            for (int i = 0; i < pages; i++) {
                assertEquals(Kernel.physical(m.address() + i * PAGE) >>> 12, frames[i]);
            }
            SplittableRandom random = new SplittableRandom(2);
            for (int i = 0; i < 300; i++) {
                long offset = random.nextLong(m.byteSize());
                long limit = 1 + random.nextLong(m.byteSize() - offset);
                long va = m.address() + offset;
                assertEquals(kernelContiguous(va, limit), pagemap.contiguousLength(va, limit));
            }
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    @NeedsKernel(pfns = true)
    void contiguousLengthStopsAtAPageThatIsNotPresent() {
        MemorySegment m = NativeMemory.mmap(4 * PAGE, RW, NativeMemory.MAP_PRIVATE);
        try {
            m.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertEquals(PAGE - 10, pagemap.contiguousLength(m.address() + 10, 4 * PAGE - 10));
            assertEquals(5, pagemap.contiguousLength(m.address() + 10, 5));
            WdMappingException e =
                    assertThrows(WdMappingException.class, () -> pagemap.frameNumbers(m.address(), new long[4]));
            assertEquals(PAGE, e.breakOffset());
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    @NeedsKernel(pfns = true)
    void concurrentReadersEachSeeTheKernelsEntries() throws Exception {
        int threads = 4;
        MemorySegment m =
                NativeMemory.mmap(threads * 64 * PAGE, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < threads; t++) {
                long base = m.address() + t * 64 * PAGE;
                futures.add(pool.submit(() -> {
                    long[] frames = new long[64];
                    for (int round = 0; round < 200; round++) {
                        pagemap.frameNumbers(base, frames);
                        int page = round % 64;
                        assertEquals(Kernel.physical(base + page * PAGE) >>> 12, frames[page]);
                        assertEquals(
                                Kernel.physical(base + page * PAGE + 5),
                                pagemap.physicalAddress(base + page * PAGE + 5));
                    }
                }));
            }
            for (var f : futures) {
                f.get();
            }
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void anInterruptedReaderDoesNotCloseThePagemapForOthers() {
        MemorySegment m = NativeMemory.mmap(PAGE, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        try {
            Thread.currentThread().interrupt();
            long interrupted = pagemap.entry(m.address());
            assertTrue(Thread.interrupted(), "the interrupt status is left alone");
            assertEquals(Kernel.entry(m.address()), interrupted);
            assertEquals(interrupted, pagemap.entry(m.address()));
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void badArgumentsAreRefused() {
        NativeMemoryTest.assertMessage("limit=0 must be > 0", () -> pagemap.contiguousLength(0x1000, 0));
        NativeMemoryTest.assertMessage("limit=-5 must be > 0", () -> pagemap.contiguousLength(0x1000, -5));
        NativeMemoryTest.assertMessage("wraps", () -> pagemap.contiguousLength(-4096, 8192));
        NativeMemoryTest.assertMessage("wraps", () -> pagemap.entries(-4096, new long[2], 0, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> pagemap.entries(0x1000, new long[2], 1, 2));
        assertThrows(NullPointerException.class, () -> Pagemap.open(null));
    }

    @Test
    void closedPagemapRefusesReads() {
        pagemap.close();
        pagemap.close();
        assertThrows(IllegalStateException.class, () -> pagemap.entry(0x1000));
        assertThrows(IllegalStateException.class, () -> pagemap.entries(0x1000, new long[1], 0, 1));
    }

    @Test
    void decodesPresentSwappedAndHiddenEntriesOfAFixture(@TempDir Path dir) throws IOException {
        long present = 1L << 63;
        long[] entries = {present | 5, 1L << 62, present, present | 100, present | 101, present | 102, present | 200};
        ByteBuffer bytes = ByteBuffer.allocate(entries.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long e : entries) {
            bytes.putLong(e);
        }
        Path file = Files.write(dir.resolve("pagemap"), bytes.array());
        try (Pagemap fixture = Pagemap.open(file)) {
            assertEquals(5 * PAGE + 9, fixture.physicalAddress(9));
            assertTrue(assertThrows(WdMappingException.class, () -> fixture.physicalAddress(PAGE))
                    .getMessage()
                    .contains("swapped"));
            assertTrue(assertThrows(IllegalStateException.class, () -> fixture.physicalAddress(2 * PAGE))
                    .getMessage()
                    .contains("PFN reads as 0"));
            assertEquals(3 * PAGE - 10, fixture.contiguousLength(3 * PAGE + 10, 100 * PAGE));
            assertEquals(0, fixture.entry(100 * PAGE), "past the end of the file reads as not present");
        }
    }

    @Test
    void openOfAMissingFileNamesTheCall() {
        var e = assertThrows(dev.wdmm.api.WdNativeException.class, () -> Pagemap.open(Path.of("/nonexistent/pagemap")));
        assertEquals(2, e.errno());
        assertTrue(e.getMessage().startsWith("open(path=/nonexistent/pagemap"), e.getMessage());
    }

    /** The kernel's entries of {@code pages} pages from {@code va}, at indexes 1..pages of an array 2 longer. */
    private static long[] kernelEntries(long va, int pages) {
        long[] kernel = new long[pages + 2];
        for (int i = 0; i < pages; i++) {
            kernel[i + 1] = Kernel.entry(va + i * PAGE);
        }
        return kernel;
    }

    private static long kernelContiguous(long va, long limit) {
        long base = va & -PAGE;
        long first = Kernel.physical(base);
        long bytes = PAGE - (va - base);
        for (long k = 1; bytes < limit && Kernel.physical(base + k * PAGE) == first + k * PAGE; k++) {
            bytes += PAGE;
        }
        return Math.min(bytes, limit);
    }
}
