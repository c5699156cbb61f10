package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BlockPoolConcurrencyTest {
    private static final int BLOCKS = 256;
    private static final long STRIDE = 4096;

    @Test
    void noBlockIsHandedOutTwiceAndAllAreAccountedFor() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            WdReservedMemory region = Regions.contiguous(arena, BLOCKS * STRIDE, 0x7_0000_0000L);
            BlockPool pool = BlockPool.create(region, new BlockPoolSetup(STRIDE, BLOCKS, 4096));
            long base = region.segment().address();
            AtomicIntegerArray owner = new AtomicIntegerArray(BLOCKS);
            AtomicLong failures = new AtomicLong();
            AtomicLong allocations = new AtomicLong();
            AtomicReference<Throwable> problem = new AtomicReference<>();
            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 1; t <= threads; t++) {
                int me = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        work(pool, base, me, owner, failures, allocations);
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
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(failures.get(), pool.allocFailures());
            assertTrue(allocations.get() > 50_000, "allocations=" + allocations.get());
            for (int i = 0; i < BLOCKS; i++) {
                assertEquals(0, owner.get(i), "block " + i + " still owned");
            }
            // every block is reachable again, exactly once
            java.util.Set<Long> all = new java.util.HashSet<>();
            for (int i = 0; i < BLOCKS; i++) {
                long address = pool.allocAddress();
                assertTrue(address != BlockPool.NO_BLOCK, "block " + i + " lost");
                assertTrue(all.add(address));
            }
            assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
            for (long address : all) {
                pool.freeAddress(address);
            }
            pool.destroy();
        }
    }

    private static void work(
            BlockPool pool, long base, int me, AtomicIntegerArray owner, AtomicLong failures, AtomicLong allocations) {
        SplittableRandom random = new SplittableRandom(me);
        ArrayDeque<Long> held = new ArrayDeque<>();
        for (int i = 0; i < 60_000; i++) {
            if (held.isEmpty() || (held.size() < 100 && random.nextInt(3) != 0)) {
                long address = pool.allocAddress();
                if (address == BlockPool.NO_BLOCK) {
                    failures.incrementAndGet();
                    continue;
                }
                allocations.incrementAndGet();
                int block = (int) ((address - base) / STRIDE);
                if (!owner.compareAndSet(block, 0, me)) {
                    throw new AssertionError(
                            "block " + block + " handed to " + me + " while owned by " + owner.get(block));
                }
                if (pool.iovaMap(address + 9) != 0x7_0000_0000L + block * STRIDE + 9) {
                    throw new AssertionError("wrong iova for block " + block);
                }
                held.add(address);
            } else {
                long address = random.nextBoolean() ? held.pollFirst() : held.pollLast();
                int block = (int) ((address - base) / STRIDE);
                owner.set(block, 0);
                pool.freeAddress(address + random.nextLong(STRIDE));
            }
        }
        for (long address : held) {
            owner.set((int) ((address - base) / STRIDE), 0);
            pool.freeAddress(address);
        }
    }

    @Test
    void concurrentDoubleFreeSucceedsExactlyOnce() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool =
                    BlockPool.create(Regions.contiguous(arena, 64 * STRIDE, 0), new BlockPoolSetup(STRIDE, 64, 4096));
            for (int round = 0; round < 200; round++) {
                long address = pool.allocAddress();
                AtomicInteger wins = new AtomicInteger();
                AtomicInteger refusals = new AtomicInteger();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> racers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    racers.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            pool.freeAddress(address);
                            wins.incrementAndGet();
                        } catch (WdOwnershipException e) {
                            refusals.incrementAndGet();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                go.countDown();
                for (Thread racer : racers) {
                    racer.join();
                }
                assertEquals(1, wins.get());
                assertEquals(2, refusals.get());
            }
            assertEquals(64, pool.freeBlocks());
        }
    }
}
