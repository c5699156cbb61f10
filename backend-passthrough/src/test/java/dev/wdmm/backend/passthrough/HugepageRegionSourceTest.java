package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.memory.region.RegionSources;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** wd-memory's huge page region source, checked against the test's own pagemap reading. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 8)
class HugepageRegionSourceTest {
    private static final long HUGE = Kernel.HUGE_2M;

    private final WdRegionSource source = RegionSources.hugepages();

    @Test
    void slicesAreTheMaximalRunsOfPhysicallyAdjacentHugePages() {
        WdReservedMemory region = source.reserve(5 * HUGE + 1);
        try {
            long base = region.segment().address();
            assertEquals(6 * HUGE, region.segment().byteSize(), "ceil(size / 2 MiB) huge pages");
            assertEquals(0, base % HUGE, "huge page aligned");
            assertEquals(expectedSlices(base, 6), region.slices());
            for (int i = 1; i < region.slices().size(); i++) {
                WdSlice previous = region.slices().get(i - 1);
                assertTrue(
                        previous.dma() + previous.size()
                                != region.slices().get(i).dma(),
                        "adjacent slices " + previous + " and "
                                + region.slices().get(i) + " must be merged");
            }
            for (WdSlice slice : region.slices()) {
                for (long offset = 0; offset < slice.size(); offset += Kernel.PAGE * 64) {
                    assertEquals(Kernel.presentPhysical(slice.va() + offset), slice.dma() + offset, "inside " + slice);
                }
            }
        } finally {
            source.release(region);
        }
    }

    @Test
    void memoryIsPopulatedWritableAndZeroed() {
        WdReservedMemory region = source.reserve(100);
        try {
            MemorySegment segment = region.segment();
            assertEquals(HUGE, segment.byteSize());
            assertEquals(0, segment.get(ValueLayout.JAVA_LONG, HUGE - 8));
            segment.set(ValueLayout.JAVA_LONG, HUGE - 8, 0x1234_5678L);
            assertEquals(0x1234_5678L, segment.get(ValueLayout.JAVA_LONG, HUGE - 8));
            assertEquals(1, region.slices().size());
        } finally {
            source.release(region);
        }
    }

    @Test
    void badSizesAreRefusedNamingTheValue() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> source.reserve(0)), "size=0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> source.reserve(-7)), "size=-7");
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> source.reserve(Long.MAX_VALUE)),
                "size=" + Long.MAX_VALUE);
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> source.reserve(RegionSources.MAX_RESERVATION + 1)),
                "size=" + (RegionSources.MAX_RESERVATION + 1));
    }

    @Test
    void shortageNamesFreeHugepagesAndTheSysctl() {
        long pages = Kernel.totalHugepages() + 1;
        WdAllocationException e = assertThrows(WdAllocationException.class, () -> source.reserve(pages * HUGE));
        assertMessage(e, "free_hugepages=");
        assertMessage(e, "sysctl vm.nr_hugepages=");
        assertEquals(pages * HUGE, e.requested());
        WdReservedMemory still = source.reserve(HUGE);
        source.release(still);
    }

    @Test
    void releaseRefusesNullForeignDoubleAndAlteredRegions() {
        assertThrows(NullPointerException.class, () -> source.release(null));
        WdReservedMemory region = source.reserve(2 * HUGE);
        WdRegionSource other = RegionSources.hugepages();
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> other.release(region)),
                "0x" + Long.toHexString(region.segment().address()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(4096);
            WdReservedMemory fake =
                    new WdReservedMemory(foreign, List.of(new WdSlice(foreign.address(), 0x1000, 4096)));
            assertThrows(IllegalArgumentException.class, () -> source.release(fake));
        }
        WdReservedMemory shrunk = new WdReservedMemory(
                region.segment().asSlice(0, HUGE),
                List.of(new WdSlice(
                        region.segment().address(), region.slices().getFirst().dma(), HUGE)));
        assertThrows(IllegalArgumentException.class, () -> source.release(shrunk));
        region.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        source.release(region);
        assertThrows(IllegalArgumentException.class, () -> source.release(region));
    }

    @Test
    void concurrentReservationsAreDisjointAndEachReleasesOnce() throws Exception {
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<WdReservedMemory>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    List<WdReservedMemory> kept = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        WdReservedMemory region = source.reserve(HUGE);
                        if (i % 2 == 0) {
                            source.release(region);
                        } else {
                            kept.add(region);
                        }
                    }
                    return kept;
                }));
            }
            List<WdReservedMemory> all = new ArrayList<>();
            for (Future<List<WdReservedMemory>> future : futures) {
                all.addAll(future.get());
            }
            assertEquals(
                    threads * 5,
                    all.stream()
                            .map(r -> r.slices().getFirst().dma())
                            .distinct()
                            .count(),
                    "no physical huge page is handed out twice");
            for (WdReservedMemory region : all) {
                assertEquals(
                        Kernel.presentPhysical(region.segment().address()),
                        region.slices().getFirst().dma());
                source.release(region);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Slices computed from the test's own pagemap reading: one per run of adjacent huge pages. */
    private static List<WdSlice> expectedSlices(long base, int pages) {
        List<WdSlice> slices = new ArrayList<>();
        long runVa = base;
        long runPa = Kernel.presentPhysical(base);
        long runSize = HUGE;
        for (int i = 1; i < pages; i++) {
            long pa = Kernel.presentPhysical(base + i * HUGE);
            if (pa == runPa + runSize) {
                runSize += HUGE;
            } else {
                slices.add(new WdSlice(runVa, runPa, runSize));
                runVa = base + i * HUGE;
                runPa = pa;
                runSize = HUGE;
            }
        }
        slices.add(new WdSlice(runVa, runPa, runSize));
        assertTrue(slices.stream().allMatch(s -> s.size() % HUGE == 0));
        return slices;
    }

    private static void assertMessage(Exception e, String fragment) {
        assertTrue(
                e.getMessage() != null && e.getMessage().contains(fragment),
                "message must contain " + fragment + ": " + e.getMessage());
    }
}
