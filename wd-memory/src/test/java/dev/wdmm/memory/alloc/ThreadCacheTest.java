package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The per-thread caches of {@link StripedAllocator}: cross-thread frees, ended threads, close, accounting. */
class ThreadCacheTest {
    private static final long CHUNK = 2L << 20;
    private static final long MIB = 1L << 20;

    private static StripedAllocator open(TestSource source, int retainEmpty) {
        return StripedAllocator.open(source, new AllocatorSettings("test allocator", retainEmpty, 2));
    }

    @Test
    void aFreeFromAnotherThreadIsCheckedAndCountedOnce() throws Exception {
        try (StripedAllocator allocator = open(new TestSource(CHUNK, 64, 0), 1)) {
            long[] addresses = new long[200];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = allocator.allocAddress(64L << (i % 10));
            }
            run(() -> {
                for (long address : addresses) {
                    allocator.freeAddress(address);
                }
            });
            assertEquals(0, allocator.liveAllocations());
            for (long address : addresses) {
                assertReason(Reason.ALREADY_FREED, () -> allocator.freeAddress(address));
                assertReason(Reason.ALREADY_FREED, () -> allocator.iovaMapAddress(address, 1));
            }
            long again = allocator.allocAddress(64);
            assertEquals(again + TestSource.IOVA_OFFSET, allocator.iovaMapAddress(again, 64));
            assertEquals(1, allocator.liveAllocations());
        }
    }

    @Test
    void ofTwoRacingFreesOfOneAddressExactlyOneWins() throws Exception {
        try (StripedAllocator allocator = open(new TestSource(CHUNK, 64, 0), 1)) {
            CyclicBarrier barrier = new CyclicBarrier(2);
            AtomicInteger wins = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicReference<Long> shared = new AtomicReference<>();
            for (int round = 0; round < 500; round++) {
                shared.set(allocator.allocAddress(256));
                Runnable free = () -> {
                    await(barrier);
                    try {
                        allocator.freeAddress(shared.get());
                        wins.incrementAndGet();
                    } catch (WdOwnershipException e) {
                        assertEquals(Reason.ALREADY_FREED, e.reason(), e.getMessage());
                        refused.incrementAndGet();
                    }
                };
                Thread other = Thread.ofPlatform().start(free);
                free.run();
                other.join();
            }
            assertEquals(500, wins.get());
            assertEquals(500, refused.get());
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void aThreadCachesABoundedNumberOfSlots() {
        TestSource source = new TestSource(CHUNK, 64, 0);
        try (StripedAllocator allocator = open(source, 1)) {
            List<Long> addresses = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                addresses.add(allocator.allocAddress(4096));
            }
            addresses.forEach(allocator::freeAddress);
            int cached = allocator.caches().current().cached();
            assertTrue(cached >= 1 && cached <= ThreadCache.capacity(12), "cached=" + cached);
            assertEquals(2, source.held.get(), "the emptied chunk is retained, the other holds the cached slots");
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void theCacheOfAnEndedThreadIsReclaimed() throws Exception {
        TestSource source = new TestSource(CHUNK, 64, 0);
        try (StripedAllocator allocator = open(source, 1)) {
            run(() -> {
                long[] slots = new long[8];
                for (int i = 0; i < slots.length; i++) {
                    slots[i] = allocator.allocAddress(MIB);
                }
                for (long slot : slots) {
                    allocator.freeAddress(slot);
                }
            });
            assertEquals(2, source.held.get(), "one retained empty chunk, one held by the cached 1 MiB slot");
            assertEquals(1, allocator.caches().reclaimDead());
            assertEquals(1, source.held.get(), "reclaimed: its chunk emptied and went back (retainEmpty=1)");
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void endedThreadsNeverPileUpCaches() throws Exception {
        TestSource source = new TestSource(CHUNK, 64, 0);
        try (StripedAllocator allocator = open(source, 1)) {
            for (int i = 0; i < 100; i++) {
                run(() -> allocator.freeAddress(allocator.allocAddress(MIB)));
                assertTrue(
                        allocator.caches().registered() <= 2 * ThreadCaches.FIRST_SWEEP,
                        "registered=" + allocator.caches().registered());
            }
            assertTrue(source.held.get() <= 2 * ThreadCaches.FIRST_SWEEP, "held=" + source.held.get());
            allocator.caches().reclaimDead();
            assertTrue(source.held.get() <= 2, "one retained empty chunk per stripe at most: " + source.held.get());
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void aShortageReclaimsTheCallersAndEndedThreadsCaches() throws Exception {
        TestSource source = new TestSource(CHUNK, 2, 0);
        try (StripedAllocator allocator = open(source, 1)) {
            run(() -> allocator.freeAddress(allocator.allocAddress(MIB)));
            allocator.freeAddress(allocator.allocAddress(64));
            assertEquals(2, source.held.get(), "two chunks held by cached slots");
            long run = allocator.allocAddress(2 * CHUNK);
            assertEquals(1, source.held.get(), "the shortage flushed both caches and gave the chunks back");
            allocator.freeAddress(run);
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void closeReleasesWhatOtherThreadsCacheAndRefusesThemAfterwards() throws Exception {
        TestSource source = new TestSource(CHUNK, 64, 0);
        StripedAllocator allocator = open(source, 1);
        CountDownLatch cached = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<MemorySegment> kept = new AtomicReference<>();
        ConcurrentLinkedQueue<Throwable> after = new ConcurrentLinkedQueue<>();
        Thread other = Thread.ofPlatform().start(() -> {
            for (long size = 64; size <= MIB; size <<= 1) {
                allocator.freeAddress(allocator.allocAddress(size));
            }
            kept.set(allocator.alloc(4096));
            cached.countDown();
            await(closed);
            // WdClosedException (an IllegalStateException) from the allocator, ISE from the segment
            for (Runnable call : List.<Runnable>of(
                    () -> allocator.allocAddress(64),
                    () -> allocator.freeAddress(kept.get().address()),
                    () -> kept.get().set(ValueLayout.JAVA_BYTE, 0, (byte) 1))) {
                try {
                    call.run();
                } catch (IllegalStateException e) {
                    after.add(e);
                }
            }
        });
        cached.await();
        assertTrue(source.held.get() > 1);
        allocator.close();
        assertEquals(0, source.held.get(), "every chunk released, cached slots included");
        assertTrue(source.closed);
        closed.countDown();
        other.join();
        assertEquals(3, after.size(), after.toString());
        assertEquals(0, allocator.liveAllocations());
    }

    @Test
    void accountingIsExactAfterThreadsChurnAndFreeEachOthersAllocations() throws Exception {
        TestSource source = new TestSource(CHUNK, 256, 0);
        try (StripedAllocator allocator = open(source, 1)) {
            ConcurrentLinkedQueue<Long> handOff = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> outstanding = new ConcurrentLinkedQueue<>();
            Thread[] threads = new Thread[3];
            for (int t = 0; t < threads.length; t++) {
                long seed = t;
                threads[t] = Thread.ofPlatform()
                        .start(() -> churn(allocator, new SplittableRandom(seed), handOff, outstanding));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            outstanding.addAll(handOff);
            assertEquals(outstanding.size(), allocator.liveAllocations());
            outstanding.forEach(allocator::freeAddress);
            assertEquals(0, allocator.liveAllocations());
            allocator.caches().reclaimDead();
            allocator.caches().current().flushAll();
            allocator.trimEmpty();
            assertEquals(0, source.held.get(), "every chunk back once no slot is live or cached");
        }
    }

    @Test
    void withRetainEmptyZeroNothingIsCachedAndAnEmptiedChunkGoesBackAtOnce() throws Exception {
        TestSource source = new TestSource(CHUNK, 64, 0);
        try (StripedAllocator allocator = open(source, 0)) {
            long address = allocator.allocAddress(64);
            run(() -> allocator.freeAddress(address));
            assertEquals(0, source.held.get(), "freed by another thread, released at once");
            for (long size = 64; size <= MIB; size <<= 1) {
                allocator.freeAddress(allocator.allocAddress(size));
                assertEquals(0, source.held.get(), "size=" + size);
            }
            assertEquals(0, allocator.caches().current().cached());
            assertEquals(0, allocator.liveAllocations());
        }
    }

    private static void churn(
            StripedAllocator allocator,
            SplittableRandom random,
            ConcurrentLinkedQueue<Long> handOff,
            ConcurrentLinkedQueue<Long> outstanding) {
        for (int i = 0; i < 20_000; i++) {
            long address = allocator.allocAddress(1 + random.nextLong(64 << random.nextInt(12)));
            switch (random.nextInt(4)) {
                case 0 -> handOff.add(address);
                case 1 -> outstanding.add(address);
                default -> allocator.freeAddress(address);
            }
            Long other = random.nextBoolean() ? handOff.poll() : null;
            if (other != null) {
                allocator.freeAddress(other);
            }
        }
    }

    private static void run(Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        thread.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertReason(Reason reason, org.junit.jupiter.api.function.Executable call) {
        WdOwnershipException e = assertThrows(WdOwnershipException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
    }
}
