package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.memory.testing.Jvm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BlockPoolBulkTest {
    private static final long DMA = 0x6_0000_0000L;

    private static BlockPool pool(Arena arena, int blocks) {
        WdReservedMemory region = Regions.contiguous(arena, blocks * 4096L, DMA);
        return BlockPool.create(region, new BlockPoolSetup(4096, blocks, 4096));
    }

    @Test
    void bulkGetTakesDistinctAllocatedBlocksAndBulkPutReturnsThem() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = pool(arena, 200);
            long[] got = new long[150];
            assertTrue(pool.allocBulk(got, 10, 130));
            assertEquals(70, pool.freeBlocks());
            Set<Long> distinct = new HashSet<>();
            for (int i = 10; i < 140; i++) {
                assertTrue(distinct.add(got[i]), "handed out twice: " + got[i]);
                long offset = got[i] - pool.region().address();
                assertEquals(DMA + offset + 7, pool.iovaMap(got[i] + 7));
            }
            assertEquals(0, got[0]);
            assertEquals(0, got[149]);
            pool.freeBulk(got, 10, 130);
            assertEquals(200, pool.freeBlocks());
            for (int i = 10; i < 140; i++) {
                long address = got[i];
                assertThrows(WdOwnershipException.class, () -> pool.freeAddress(address));
            }
            pool.destroy();
        }
    }

    @Test
    void aBulkGetThatCannotBeSatisfiedTakesNothing() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = pool(arena, 64);
            long[] held = new long[60];
            assertTrue(pool.allocBulk(held, 0, 60));
            long[] more = new long[5];
            assertFalse(pool.allocBulk(more, 0, 5));
            assertEquals(4, pool.freeBlocks());
            assertEquals(1, pool.allocFailures());
            // the four blocks are still there, one by one and in bulk
            assertTrue(pool.allocBulk(more, 1, 4));
            assertEquals(0, pool.freeBlocks());
            assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
            MemorySegment[] segments = new MemorySegment[3];
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> pool.allocBulk(segments, 0, 3));
            assertTrue(e.getMessage().contains("n=3") && e.getMessage().contains("freeBlocks=0"), e.getMessage());
            assertArrayEquals(new MemorySegment[3], segments);
            pool.freeBulk(more, 1, 4);
            pool.freeBulk(held, 0, 60);
            assertEquals(64, pool.freeBlocks());
            pool.destroy();
        }
    }

    @Test
    void aBulkPutWithOneBadAddressFreesNothing() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = pool(arena, 32);
            long[] held = new long[8];
            assertTrue(pool.allocBulk(held, 0, 8));
            long[] bad = held.clone();
            bad[5] = pool.region().address() - 4096;
            WdOwnershipException foreign = assertThrows(WdOwnershipException.class, () -> pool.freeBulk(bad, 0, 8));
            assertEquals(WdOwnershipException.Reason.FOREIGN, foreign.reason());
            assertTrue(foreign.getMessage().contains("index=5"), foreign.getMessage());
            assertEquals(24, pool.freeBlocks());
            long[] twice = held.clone();
            twice[7] = held[2] + 100;
            WdOwnershipException dup = assertThrows(WdOwnershipException.class, () -> pool.freeBulk(twice, 0, 8));
            assertTrue(dup.getMessage().contains("same block as index=2"), dup.getMessage());
            assertEquals(24, pool.freeBlocks());
            long run = pool.allocAddress(3 * 4096);
            long[] withRun = {held[0], run};
            assertThrows(IllegalArgumentException.class, () -> pool.freeBulk(withRun, 0, 2));
            assertEquals(21, pool.freeBlocks());
            for (long address : held) {
                assertEquals(DMA + address - pool.region().address(), pool.iovaMap(address));
            }
            pool.freeAddress(run);
            pool.freeBulk(held, 0, 8);
            assertEquals(32, pool.freeBlocks());
            pool.destroy();
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheValueNamedAndChangeNothing() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = pool(arena, 16);
            long[] four = new long[4];
            assertThrows(NullPointerException.class, () -> pool.allocBulk((long[]) null, 0, 1));
            assertThrows(NullPointerException.class, () -> pool.freeBulk((long[]) null, 0, 1));
            assertMessage("n=0 must be > 0", () -> pool.allocBulk(four, 0, 0));
            assertMessage("n=-1 must be > 0", () -> pool.freeBulk(four, 0, -1));
            assertMessage("offset=-1 n=2", () -> pool.allocBulk(four, -1, 2));
            assertMessage("offset=3 n=2", () -> pool.allocBulk(four, 3, 2));
            assertMessage("offset=2147483647 n=1", () -> pool.freeBulk(four, Integer.MAX_VALUE, 1));
            MemorySegment[] segments = new MemorySegment[2];
            assertTrue(assertThrows(NullPointerException.class, () -> pool.freeBulk(segments, 0, 2))
                    .getMessage()
                    .contains("blocks[0] is null"));
            assertEquals(16, pool.freeBlocks());
            assertEquals(0, pool.allocFailures());
            pool.allocBulk(segments, 0, 2);
            assertEquals(4096, segments[1].byteSize());
            pool.freeBulk(segments, 0, 2);
            pool.destroy();
            assertThrows(WdClosedException.class, () -> pool.allocBulk(four, 0, 1));
            assertThrows(WdClosedException.class, () -> pool.freeBulk(four, 0, 1));
        }
    }

    private static void assertMessage(String start, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void bulkGetAndPutAllocateNothing() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = pool(arena, 256);
            long[] batch = new long[32];
            long sink = cycle(pool, batch);
            long before = Jvm.allocatedBytes();
            sink += cycle(pool, batch);
            long used = Jvm.allocatedBytes() - before;
            assertTrue(used < 4096, "allocated " + used + " bytes over 100000 bulk get+put");
            assertTrue(sink != 0);
            pool.destroy();
        }
    }

    private static long cycle(BlockPool pool, long[] batch) {
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            pool.allocBulk(batch, 0, 32);
            sink += batch[i & 31];
            pool.freeBulk(batch, 0, 32);
        }
        return sink;
    }

    @Test
    void concurrentBulkAndSingleCallsNeverShareABlockAndLoseNone() throws Exception {
        int blocks = 300;
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = pool(arena, blocks);
            long base = pool.region().address();
            AtomicIntegerArray owner = new AtomicIntegerArray(blocks);
            AtomicReference<Throwable> problem = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 1; t <= 4; t++) {
                int me = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        work(pool, base, me, owner);
                    } catch (Throwable e) {
                        problem.compareAndSet(null, e);
                    }
                }));
            }
            start.countDown();
            for (Thread worker : workers) {
                worker.join();
            }
            assertNull(problem.get());
            assertEquals(blocks, pool.freeBlocks());
            long[] all = new long[blocks];
            assertTrue(pool.allocBulk(all, 0, blocks), "every block is reachable again");
            assertEquals(blocks, Arrays.stream(all).distinct().count());
            pool.freeBulk(all, 0, blocks);
            pool.destroy();
        }
    }

    private static void work(BlockPool pool, long base, int me, AtomicIntegerArray owner) {
        SplittableRandom random = new SplittableRandom(me);
        long[] batch = new long[100];
        for (int round = 0; round < 20_000; round++) {
            int n = 1 + random.nextInt(me == 1 ? 100 : 40);
            if (!pool.allocBulk(batch, 0, n)) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                int block = (int) ((batch[i] - base) / 4096);
                if (!owner.compareAndSet(block, 0, me)) {
                    throw new AssertionError(
                            "block " + block + " handed to " + me + " while " + owner.get(block) + " holds it");
                }
            }
            long single = pool.allocAddress();
            for (int i = 0; i < n; i++) {
                owner.set((int) ((batch[i] - base) / 4096), 0);
            }
            pool.freeBulk(batch, 0, n);
            if (single != BlockPool.NO_BLOCK) {
                pool.freeAddress(single);
            }
        }
    }
}
