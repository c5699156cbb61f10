package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CheckedAllocatorConcurrencyTest {
    private static final long CHUNK = 2L << 20;
    private static final int THREADS = 4;

    @Test
    void threadsAllocatingAndFreeingNeverShareMemoryAndTheCountsEndExact() throws Exception {
        TestSource source = new TestSource(CHUNK, 256, 0);
        CheckedMode mode = new CheckedMode(true, 1L << 20, 64);
        ChunkAllocator allocator = CheckedAllocatorTest.open(source, mode);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            byte tag = (byte) (t + 1);
            threads.add(Thread.ofPlatform().start(() -> churn(allocator, tag, failures)));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(0, allocator.liveAllocations());
        assertEquals(List.of(), allocator.liveSites());
        assertTrue(allocator.quarantinedAllocations() <= 64, "count=" + allocator.quarantinedAllocations());
        assertTrue(allocator.quarantinedBytes() <= 1L << 20, "bytes=" + allocator.quarantinedBytes());
        allocator.close();
        assertEquals(0, source.held.get());
    }

    /** Holds up to 8 allocations, each filled with the thread's tag, checked intact just before its free. */
    private static void churn(ChunkAllocator allocator, byte tag, Queue<Throwable> failures) {
        SplittableRandom random = new SplittableRandom(tag);
        List<MemorySegment> held = new ArrayList<>();
        try {
            for (int i = 0; i < 1500; i++) {
                if (held.size() < 8 && random.nextBoolean()) {
                    long size = random.nextInt(50) == 0 ? 3L << 20 : 1 + random.nextInt(8192);
                    MemorySegment segment = allocator.alloc(size);
                    segment.fill(tag);
                    held.add(segment);
                } else if (!held.isEmpty()) {
                    MemorySegment segment = held.remove(random.nextInt(held.size()));
                    for (long offset : new long[] {0, segment.byteSize() / 2, segment.byteSize() - 1}) {
                        assertEquals(tag, segment.get(ValueLayout.JAVA_BYTE, offset), "overwritten by another thread");
                    }
                    allocator.freeAddress(segment.address());
                    assertFalse(segment.scope().isAlive());
                }
            }
            for (MemorySegment segment : held) {
                allocator.freeAddress(segment.address());
            }
        } catch (RuntimeException | AssertionError e) {
            failures.add(e);
        }
    }

    @Test
    void ofTwoRacingFreesExactlyOneWins() throws Exception {
        try (ChunkAllocator allocator = CheckedAllocatorTest.open(new TestSource(CHUNK, 64, 0), CheckedMode.ON)) {
            CyclicBarrier barrier = new CyclicBarrier(2);
            for (int round = 0; round < 200; round++) {
                long address = allocator.allocAddress(64 + round % 3 * 1000);
                AtomicInteger won = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                Runnable free = () -> {
                    try {
                        barrier.await();
                        allocator.freeAddress(address);
                        won.incrementAndGet();
                    } catch (WdOwnershipException e) {
                        if (e.reason() == WdOwnershipException.Reason.ALREADY_FREED) {
                            refused.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                Thread other = Thread.ofPlatform().start(free);
                free.run();
                other.join();
                assertEquals(1, won.get(), "round " + round);
                assertEquals(1, refused.get(), "round " + round);
            }
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void closeRacingAllocAndFreeLeavesNoSegmentAlive() throws Exception {
        TestSource source = new TestSource(CHUNK, 256, 0);
        ChunkAllocator allocator = CheckedAllocatorTest.open(source, CheckedMode.ON);
        Queue<MemorySegment> handedOut = new ConcurrentLinkedQueue<>();
        Queue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; ; i++) {
                        MemorySegment segment = allocator.alloc(64L << (i % 6));
                        handedOut.add(segment);
                        if (i % 2 == 0) {
                            allocator.freeAddress(segment.address());
                        }
                    }
                } catch (WdClosedException expected) {
                    // the loop ends when close wins
                } catch (RuntimeException e) {
                    unexpected.add(e);
                }
            }));
        }
        while (handedOut.size() < 200 && unexpected.isEmpty()) {
            Thread.sleep(5);
        }
        allocator.close();
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(unexpected.isEmpty(), unexpected.toString());
        for (MemorySegment segment : handedOut) {
            assertFalse(segment.scope().isAlive(), "a segment outlived close: " + segment);
        }
        assertEquals(0, source.held.get());
    }
}
