package dev.wdmm.memory.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.Needs;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.memory.testing.Skip;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted")
class NativeMemoryTest {
    private static final int RW = NativeMemory.PROT_READ | NativeMemory.PROT_WRITE;
    private static final MemorySegment UNMAPPED =
            MemorySegment.ofAddress(0x1000).reinterpret(4096);

    @Test
    void pageSizeIsTheKernels() {
        assertEquals(Kernel.PAGE, NativeMemory.pageSize());
    }

    @Test
    void mmapReturnsWritableSegmentOfTheRequestedLength() {
        MemorySegment m = NativeMemory.mmap(5000, RW, NativeMemory.MAP_PRIVATE);
        try {
            assertEquals(5000, m.byteSize());
            assertEquals(0, m.address() % NativeMemory.pageSize());
            m.set(ValueLayout.JAVA_BYTE, 4999, (byte) 7);
            assertEquals(7, m.get(ValueLayout.JAVA_BYTE, 4999));
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void populatedMappingIsPresentBeforeAnyTouch() {
        MemorySegment m = NativeMemory.mmap(8 * 4096, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        try {
            for (int i = 0; i < 8; i++) {
                assertTrue(Kernel.present(m.address() + i * 4096L), "page " + i);
            }
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void badMmapArgumentsAreRefusedByName() {
        assertMessage("length=0 must be > 0", () -> NativeMemory.mmap(0, RW, NativeMemory.MAP_PRIVATE));
        assertMessage("length=-1 must be > 0", () -> NativeMemory.mmap(-1, RW, NativeMemory.MAP_PRIVATE));
        assertMessage("prot=0x4", () -> NativeMemory.mmap(4096, 4, NativeMemory.MAP_PRIVATE));
        assertMessage("exactly one of", () -> NativeMemory.mmap(4096, RW, 0));
        assertMessage("exactly one of", () -> NativeMemory.mmap(4096, RW, 3));
        assertMessage("unsupported bits", () -> NativeMemory.mmap(4096, RW, NativeMemory.MAP_PRIVATE | 0x100));
        assertMessage(
                "need MAP_HUGETLB",
                () -> NativeMemory.mmap(4096, RW, NativeMemory.MAP_PRIVATE | NativeMemory.hugePageSizeFlag(2 << 20)));
        assertMessage(
                "multiple of the huge page size",
                () -> NativeMemory.mmap(4096, RW, NativeMemory.MAP_PRIVATE | NativeMemory.MAP_HUGETLB));
        assertMessage(
                "length=" + Long.MAX_VALUE, () -> NativeMemory.mmap(Long.MAX_VALUE, RW, NativeMemory.MAP_PRIVATE));
    }

    @Test
    void munmapRefusesForeignPartialAndDoubleUnmaps() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(4096, 4096);
            assertEquals(
                    WdOwnershipException.Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> NativeMemory.munmap(foreign))
                            .reason());
        }
        MemorySegment m = NativeMemory.mmap(3 * 4096, RW, NativeMemory.MAP_PRIVATE);
        assertMessage("must be the whole mapping", () -> NativeMemory.munmap(m.asSlice(0, 4096)));
        assertEquals(
                WdOwnershipException.Reason.INTERIOR,
                assertThrows(WdOwnershipException.class, () -> NativeMemory.munmap(m.asSlice(4096)))
                        .reason());
        m.set(ValueLayout.JAVA_BYTE, 3 * 4096 - 1, (byte) 1);
        NativeMemory.munmap(m);
        assertEquals(
                WdOwnershipException.Reason.ALREADY_FREED,
                assertThrows(WdOwnershipException.class, () -> NativeMemory.munmap(m))
                        .reason());
        assertThrows(NullPointerException.class, () -> NativeMemory.munmap(null));
        assertThrows(IllegalArgumentException.class, () -> NativeMemory.munmap(MemorySegment.ofArray(new byte[8])));
    }

    @Test
    void madviseOnlyTouchesItsOwnAlignedMappings() {
        MemorySegment m = NativeMemory.mmap(2 * 4096, RW, NativeMemory.MAP_PRIVATE);
        try {
            m.set(ValueLayout.JAVA_BYTE, 10, (byte) 9);
            NativeMemory.madvise(m, NativeMemory.MADV_DONTNEED);
            assertEquals(0, m.get(ValueLayout.JAVA_BYTE, 10), "MADV_DONTNEED drops anonymous pages");
            assertMessage("must be aligned", () -> NativeMemory.madvise(m.asSlice(1), NativeMemory.MADV_DONTNEED));
            assertMessage("advice=-1", () -> NativeMemory.madvise(m, -1));
            WdNativeException e = assertThrows(WdNativeException.class, () -> NativeMemory.madvise(m, 9999));
            assertEquals(22, e.errno());
            assertTrue(e.getMessage().contains("madvise(addr=0x"), e.getMessage());
        } finally {
            NativeMemory.munmap(m);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(4096, 4096);
            assertThrows(WdOwnershipException.class, () -> NativeMemory.madvise(foreign, NativeMemory.MADV_DONTNEED));
        }
    }

    @Test
    void mlockFailureNamesErrnoLimitAndFix() {
        WdNativeException e = assertThrows(WdNativeException.class, () -> NativeMemory.mlock(UNMAPPED));
        assertEquals(12, e.errno());
        assertEquals("mlock(addr=0x1000, len=4096)", e.call());
        String message = e.getMessage();
        assertTrue(message.contains("ENOMEM: Cannot allocate memory"), message);
        assertTrue(message.contains("RLIMIT_MEMLOCK is " + NativeMemory.memlockLimit()), message);
        assertTrue(message.contains("ulimit -l unlimited") && message.contains("CAP_IPC_LOCK"), message);
    }

    @Test
    void mlockAndMunlockLockAMapping() {
        MemorySegment m = NativeMemory.mmap(4 * 4096, RW, NativeMemory.MAP_PRIVATE);
        try {
            NativeMemory.mlock(m);
            for (int i = 0; i < 4; i++) {
                assertTrue(Kernel.present(m.address() + i * 4096L), "mlock faults pages in");
            }
            NativeMemory.munlock(m);
        } finally {
            NativeMemory.munmap(m);
        }
        assertThrows(NullPointerException.class, () -> NativeMemory.mlock(null));
        assertMessage("size=0 must be > 0", () -> NativeMemory.mlock(MemorySegment.NULL));
        assertMessage(
                "wraps",
                () -> NativeMemory.munlock(MemorySegment.ofAddress(-4096).reinterpret(8192)));
    }

    @Test
    void memlockLimitMatchesProcLimits() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max locked memory"))
                .findFirst()
                .orElseThrow();
        String[] parts = line.substring("Max locked memory".length()).trim().split("\\s+");
        ResourceLimit limit = NativeMemory.memlockLimit();
        assertEquals(parts[0], limit.soft() == ResourceLimit.UNLIMITED ? "unlimited" : Long.toString(limit.soft()));
        assertEquals(parts[1], limit.hard() == ResourceLimit.UNLIMITED ? "unlimited" : Long.toString(limit.hard()));
        NativeMemory.setMemlockLimit(limit);
        assertEquals(limit, NativeMemory.memlockLimit());
    }

    @Test
    void resourceLimitRefusesImpossibleValues() {
        assertMessage("soft=-2", () -> new ResourceLimit(-2, 0));
        assertMessage("soft=unlimited must be <= hard=10", () -> new ResourceLimit(-1, 10));
        assertMessage("soft=11 must be <= hard=10", () -> new ResourceLimit(11, 10));
        assertTrue(new ResourceLimit(-1, -1).allows(Long.MAX_VALUE));
        assertEquals("soft=4096 hard=unlimited", new ResourceLimit(4096, -1).toString());
    }

    @Test
    void strerrorAndHugePageFlags() {
        assertEquals("Cannot allocate memory", NativeMemory.strerror(12));
        assertEquals(21 << 26, NativeMemory.hugePageSizeFlag(2 << 20));
        assertEquals(30 << 26, NativeMemory.hugePageSizeFlag(1 << 30));
        assertMessage("hugePageSize=3000000", () -> NativeMemory.hugePageSizeFlag(3_000_000));
        assertMessage("hugePageSize=4096", () -> NativeMemory.hugePageSizeFlag(4096));
    }

    @Test
    void errnoIsCapturedPerThread() throws Exception {
        MemorySegment m = NativeMemory.mmap(4096, RW, NativeMemory.MAP_PRIVATE);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean lockSide = t % 2 == 0;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        int errno = lockSide
                                ? assertThrows(WdNativeException.class, () -> NativeMemory.mlock(UNMAPPED))
                                        .errno()
                                : assertThrows(WdNativeException.class, () -> NativeMemory.madvise(m, 9999))
                                        .errno();
                        assertEquals(lockSide ? 12 : 22, errno);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    @NeedsKernel(freeHugepages = 1)
    void hugetlbMappingIsOnePhysicallyContiguousHugePage() throws IOException {
        long huge = 2L << 20;
        MemorySegment m;
        try {
            m = NativeMemory.mmap(
                    huge,
                    RW,
                    NativeMemory.MAP_PRIVATE
                            | NativeMemory.MAP_POPULATE
                            | NativeMemory.MAP_HUGETLB
                            | NativeMemory.hugePageSizeFlag(huge));
        } catch (WdNativeException e) {
            if (e.errno() == 12) {
                Skip.because(
                        "NativeMemoryTest.hugetlbMappingIsOnePhysicallyContiguousHugePage",
                        "the free 2 MiB huge page was taken by another process meanwhile (mmap: ENOMEM)",
                        "keep huge pages free while the tests run, " + Needs.RESERVE_HUGEPAGES);
            }
            throw e;
        }
        try {
            assertEquals(huge, m.byteSize());
            assertEquals(0, m.address() % huge);
            Skip.unless(
                    "NativeMemoryTest.hugetlbMappingIsOnePhysicallyContiguousHugePage",
                    Needs.pfns()); // the physical part
            long first = Kernel.physical(m.address());
            assertEquals(0, first % huge);
            for (long offset = 0; offset < huge; offset += 4096) {
                assertEquals(first + offset, Kernel.physical(m.address() + offset));
            }
            try (Pagemap pagemap = Pagemap.open()) {
                assertEquals(huge, pagemap.contiguousLength(m.address(), huge));
            }
        } finally {
            NativeMemory.munmap(m);
        }
    }

    @Test
    void hugetlbShortageNamesTheSysctl() throws IOException {
        long gib = 1L << 30;
        Path gibPages = Path.of("/sys/kernel/mm/hugepages/hugepages-1048576kB");
        if (!Files.isDirectory(gibPages) || freeHugePages("hugepages-1048576kB") != 0) {
            Skip.because(
                    "NativeMemoryTest.hugetlbShortageNamesTheSysctl",
                    Files.isDirectory(gibPages)
                            ? "needs a 1 GiB huge page size with none free, free_hugepages="
                                    + freeHugePages("hugepages-1048576kB")
                            : "this kernel or CPU offers no 1 GiB huge pages (no " + gibPages + ")",
                    "a machine with 1 GiB huge pages (CPU flag pdpe1gb) and none reserved");
        }
        WdNativeException e = assertThrows(
                WdNativeException.class,
                () -> NativeMemory.mmap(
                        gib,
                        RW,
                        NativeMemory.MAP_PRIVATE | NativeMemory.MAP_HUGETLB | NativeMemory.hugePageSizeFlag(gib)));
        assertEquals(12, e.errno());
        assertTrue(
                e.getMessage().contains("/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"), e.getMessage());
    }

    private static long freeHugePages(String size) throws IOException {
        Path free = Path.of("/sys/kernel/mm/hugepages", size, "free_hugepages");
        return Files.exists(free) ? Long.parseLong(Files.readString(free).trim()) : 0;
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
