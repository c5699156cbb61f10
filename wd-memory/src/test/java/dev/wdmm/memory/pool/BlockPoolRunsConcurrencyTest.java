package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Run allocations racing single-block churn: every allocation claims the blocks it covers in an
 * owner table, so a block handed out twice (to a run and a single, or to two runs) is caught.
 */
class BlockPoolRunsConcurrencyTest {
    private static final int BLOCKS = 512;
    private static final long STRIDE = 4096;
    private static final long DMA = 0x7_0000_0000L;

    @Test
    void runsAndSingleBlocksNeverOverlapAndEveryCounterEndsExact() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            WdReservedMemory region = Regions.contiguous(arena, BLOCKS * STRIDE, DMA);
            BlockPool pool = BlockPool.create(region, new BlockPoolSetup(STRIDE, BLOCKS, 4096));
            long base = region.segment().address();
            AtomicIntegerArray owner = new AtomicIntegerArray(BLOCKS);
            AtomicLong failures = new AtomicLong();
            AtomicLong runs = new AtomicLong();
            AtomicReference<Throwable> problem = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 1; t <= 5; t++) {
                int me = t;
                boolean runner = t > 3;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        work(pool, base, me, runner, owner, failures, runs);
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
            assertTrue(runs.get() > 500, "runs=" + runs.get());
            // every block is reachable once as a single block, and the whole pool as one run
            Set<Long> all = new HashSet<>();
            for (int i = 0; i < BLOCKS; i++) {
                assertTrue(all.add(pool.allocAddress()), "handed out twice");
            }
            assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
            all.forEach(pool::freeAddress);
            long whole = pool.allocAddress(BLOCKS * STRIDE);
            assertEquals(base, whole);
            assertEquals(DMA + BLOCKS * STRIDE - 1, pool.iovaMap(whole + BLOCKS * STRIDE - 1));
            pool.freeAddress(whole);
            assertEquals(BLOCKS, pool.freeBlocks());
            pool.destroy();
        }
    }

    private static void work(
            BlockPool pool,
            long base,
            int me,
            boolean runner,
            AtomicIntegerArray owner,
            AtomicLong failures,
            AtomicLong runs) {
        SplittableRandom random = new SplittableRandom(me);
        ArrayDeque<long[]> held = new ArrayDeque<>();
        for (int i = 0; i < 20_000; i++) {
            if (held.size() < 24 && random.nextInt(3) != 0) {
                long size = runner ? STRIDE * (2 + random.nextInt(15)) : 1 + random.nextInt((int) STRIDE);
                long address = pool.allocAddress(size);
                if (address == BlockPool.NO_BLOCK) {
                    failures.incrementAndGet();
                    continue;
                }
                int first = (int) ((address - base) / STRIDE);
                int count = (int) ((size + STRIDE - 1) / STRIDE);
                for (int b = first; b < first + count; b++) {
                    if (!owner.compareAndSet(b, 0, me)) {
                        throw new AssertionError("block " + b + " of thread " + me + " also owned by " + owner.get(b));
                    }
                }
                if (pool.iovaMap(address + size - 1) != DMA + (address - base) + size - 1) {
                    throw new AssertionError("IOVA of the allocation's last byte is wrong");
                }
                if (runner) {
                    runs.incrementAndGet();
                }
                held.add(new long[] {address, first, count});
            } else if (!held.isEmpty()) {
                long[] h = random.nextBoolean() ? held.pollFirst() : held.pollLast();
                release(pool, owner, me, h);
            }
        }
        while (!held.isEmpty()) {
            release(pool, owner, me, held.poll());
        }
    }

    private static void release(BlockPool pool, AtomicIntegerArray owner, int me, long[] h) {
        for (int b = (int) h[1]; b < h[1] + h[2]; b++) {
            if (!owner.compareAndSet(b, me, 0)) {
                throw new AssertionError("block " + b + " lost by thread " + me);
            }
        }
        pool.freeAddress(h[0]);
    }
}
