package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdOwnershipException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** An unmap must undo a map: the chunk allocator's per-allocation map records, fast and checked. */
class MapRecordsTest {
    private static final long CHUNK = 2L << 20;

    private static ChunkAllocator open(boolean checked) {
        return ChunkAllocator.open(
                new TestSource(CHUNK, 64, 0),
                new AllocatorSettings("test allocator", 1, 2, checked ? CheckedMode.ON : CheckedMode.OFF));
    }

    @Test
    void unmapsThatUndoNoMapAreRefusedForSlotsAndRuns() {
        for (boolean checked : new boolean[] {false, true}) {
            try (ChunkAllocator allocator = open(checked)) {
                for (long size : new long[] {256, 3L << 20}) {
                    long va = allocator.allocAddress(size);
                    long iova = va + TestSource.IOVA_OFFSET;
                    refused("has no outstanding iovaMap", () -> allocator.iovaUnmapAddress(va, iova, 64));
                    assertEquals(iova, allocator.iovaMapAddress(va, 64));
                    refused("does not match the one outstanding", () -> allocator.iovaUnmapAddress(va, iova, 63));
                    refused("does not match", () -> allocator.iovaUnmapAddress(va + 1, iova + 1, 63));
                    allocator.iovaUnmapAddress(va, iova, 64);
                    refused("already unmapped", () -> allocator.iovaUnmapAddress(va, iova, 64));
                    allocator.freeAddress(va);
                }
            }
        }
    }

    @Test
    void severalMapsUnmapInAnyOrderAndAFreeDropsThem() {
        try (ChunkAllocator allocator = open(false)) {
            long va = allocator.allocAddress(4096);
            long iova = va + TestSource.IOVA_OFFSET;
            allocator.iovaMapAddress(va, 64);
            allocator.iovaMapAddress(va + 64, 128);
            allocator.iovaMapAddress(va, 64);
            allocator.iovaUnmapAddress(va + 64, iova + 64, 128);
            allocator.iovaUnmapAddress(va, iova, 64);
            allocator.iovaUnmapAddress(va, iova, 64);
            refused("has no outstanding", () -> allocator.iovaUnmapAddress(va, iova, 64));
            allocator.iovaMapAddress(va, 4096);
            allocator.freeAddress(va);
            long again = allocator.allocAddress(4096);
            assertEquals(va, again, "the slot is reused");
            refused("has no outstanding", () -> allocator.iovaUnmapAddress(again, iova, 4096));
        }
    }

    @Test
    void mismatchedUnmapsAmongSeveralAreCaughtByTheLastOne() {
        try (ChunkAllocator allocator = open(false)) {
            long va = allocator.allocAddress(4096);
            long iova = va + TestSource.IOVA_OFFSET;
            allocator.iovaMapAddress(va, 64);
            allocator.iovaMapAddress(va, 128);
            allocator.iovaUnmapAddress(va, iova, 32); // undoes neither: accepted while two are outstanding
            refused("does not match", () -> allocator.iovaUnmapAddress(va, iova, 64));
            refused("does not match", () -> allocator.iovaUnmapAddress(va, iova, 128));
        }
    }

    @Test
    void mapsAndUnmapsFromManyThreadsBalance() throws Exception {
        try (ChunkAllocator allocator = open(false);
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            long va = allocator.allocAddress(4096);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long offset = t * 64L;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        long iova = allocator.iovaMapAddress(va + offset, 64);
                        allocator.iovaUnmapAddress(va + offset, iova, 64);
                    }
                }));
            }
            for (Future<?> result : results) {
                result.get();
            }
            refused("has no outstanding", () -> allocator.iovaUnmapAddress(va, va + TestSource.IOVA_OFFSET, 64));
        }
    }

    @Test
    void unmapOfFreedMemoryIsAnOwnershipRefusal() {
        try (ChunkAllocator allocator = open(false)) {
            long va = allocator.allocAddress(3L << 20);
            long iova = allocator.iovaMapAddress(va, 64);
            allocator.freeAddress(va);
            WdOwnershipException e =
                    assertThrows(WdOwnershipException.class, () -> allocator.iovaUnmapAddress(va, iova, 64));
            assertEquals(WdOwnershipException.Reason.ALREADY_FREED, e.reason(), e.getMessage());
        }
    }

    private static void refused(String part, Runnable unmap) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, unmap::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
