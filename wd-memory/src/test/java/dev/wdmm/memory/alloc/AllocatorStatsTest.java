package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** The allocator's accounting: exact figures after known sequences, across threads, under a limit. */
class AllocatorStatsTest {
    private static final long CHUNK = 2L << 20;

    private static ChunkAllocator open(TestSource source, long limit) {
        return ChunkAllocator.open(source, new AllocatorSettings("stats allocator", 1, 2).withLimit(limit));
    }

    @Test
    void figuresAreExactAfterAKnownSequence() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), WdStats.NO_LIMIT)) {
            WdStats empty = allocator.stats();
            assertTrue(empty.accounted());
            assertEquals(0, empty.liveAllocations());
            assertEquals(0, empty.heldBytes());
            long a = allocator.allocAddress(100);
            long b = allocator.allocAddress(4096);
            long run = allocator.allocAddress(3L << 20);
            allocator.allocAddress(1);
            allocator.freeAddress(b);
            WdStats stats = allocator.stats();
            assertEquals(3, stats.liveAllocations(), stats.toString());
            assertEquals(100 + (3L << 20) + 1, stats.liveBytes(), stats.toString());
            assertEquals(4, stats.totalAllocations(), stats.toString());
            assertEquals(0, stats.allocationFailures());
            // one class chunk for 128 B, one for 4 KiB, one for 64 B, and the run's own 3 MiB
            assertEquals(Map.of(CHUNK, 3L, 3L << 20, 1L), stats.heldBySize(), stats.toString());
            assertEquals(3 * CHUNK + (3L << 20), stats.heldBytes());
            assertEquals(stats.heldBytes(), stats.peakHeldBytes());
            allocator.freeAddress(run);
            allocator.freeAddress(a);
            WdStats after = allocator.stats();
            assertEquals(1, after.liveAllocations());
            assertEquals(1, after.liveBytes());
            assertEquals(3 * CHUNK, after.heldBytes(), "the run's chunk went back");
            assertEquals(3 * CHUNK + (3L << 20), after.peakHeldBytes(), "the peak stays");
        }
    }

    @Test
    void figuresAreExactAfterThreadsJoin() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 256, 0), WdStats.NO_LIMIT)) {
            List<List<Long>> kept = new ArrayList<>();
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Long> mine = new ArrayList<>();
                kept.add(mine);
                int seed = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    for (int i = 0; i < perThread; i++) {
                        long size = 1 + (i * 31L + seed) % 8192;
                        long address = allocator.allocAddress(size);
                        if (i % 3 == 0) {
                            mine.add(address);
                            mine.add(size);
                        } else {
                            allocator.freeAddress(address);
                        }
                    }
                }));
            }
            for (Thread worker : workers) {
                worker.join();
            }
            long liveBytes = 0;
            long live = 0;
            for (List<Long> mine : kept) {
                for (int i = 0; i < mine.size(); i += 2) {
                    live++;
                    liveBytes += mine.get(i + 1);
                }
            }
            WdStats stats = allocator.stats();
            assertEquals(live, stats.liveAllocations(), stats.toString());
            assertEquals(liveBytes, stats.liveBytes(), stats.toString());
            assertEquals((long) threads * perThread, stats.totalAllocations(), stats.toString());
            // frees by another thread than the allocating one still balance
            for (List<Long> mine : kept) {
                for (int i = 0; i < mine.size(); i += 2) {
                    allocator.freeAddress(mine.get(i));
                }
            }
            WdStats freed = allocator.stats();
            assertEquals(0, freed.liveAllocations(), freed.toString());
            assertEquals(0, freed.liveBytes(), freed.toString());
        }
    }

    @Test
    void aLimitRefusesCleanlyNamingItAndChangesNothing() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), 2 * CHUNK)) {
            long a = allocator.allocAddress(64);
            long b = allocator.allocAddress(4096);
            WdStats before = allocator.stats();
            assertEquals(2 * CHUNK, before.heldBytes());
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> allocator.allocAddress(1 << 16));
            assertTrue(e.getMessage().contains("limit-bytes=" + 2 * CHUNK), e.getMessage());
            assertThrows(WdAllocationException.class, () -> allocator.allocAddress(3L << 20));
            WdStats after = allocator.stats();
            assertEquals(before.liveAllocations(), after.liveAllocations());
            assertEquals(before.liveBytes(), after.liveBytes());
            assertEquals(before.heldBytes(), after.heldBytes());
            assertEquals(before.heldBySize(), after.heldBySize());
            assertEquals(2, after.allocationFailures());
            assertEquals(2 * CHUNK, after.limitBytes());
            allocator.freeAddress(b);
            allocator.freeAddress(a);
            // the empty chunks are given back when the limit is reached, so a new class fits again
            assertTrue(allocator.allocAddress(1 << 16) != 0);
        }
    }

    @Test
    void afterCloseNothingIsHeldAndTotalsRemain() {
        ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), WdStats.NO_LIMIT);
        allocator.allocAddress(64);
        allocator.allocAddress(3L << 20);
        allocator.close();
        WdStats stats = allocator.stats();
        assertEquals(0, stats.liveAllocations());
        assertEquals(0, stats.liveBytes());
        assertEquals(0, stats.heldBytes());
        assertTrue(stats.heldBySize().isEmpty());
        assertEquals(2, stats.totalAllocations());
    }

    @Test
    void checkedModeDoesNotCountQuarantinedAllocationsAsLive() {
        try (ChunkAllocator allocator = ChunkAllocator.open(
                new TestSource(CHUNK, 64, 0),
                new AllocatorSettings("checked stats", 1, 2).withChecked(CheckedMode.ON))) {
            long a = allocator.allocAddress(100);
            allocator.allocAddress(200);
            allocator.freeAddress(a);
            WdStats stats = allocator.stats();
            assertEquals(1, stats.liveAllocations(), stats.toString());
            assertEquals(200, stats.liveBytes(), stats.toString());
        }
    }

    @Test
    void aBridgeWithoutAccountingSaysSo() {
        WdStats none = WdStats.notAccounted("some bridge");
        assertFalse(none.accounted());
        assertEquals(WdStats.UNKNOWN, none.liveAllocations());
        assertTrue(none.toString().contains("accounted=false"), none.toString());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
