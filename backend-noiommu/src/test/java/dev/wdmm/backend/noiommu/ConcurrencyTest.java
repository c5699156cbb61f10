package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@NeedsKernel(pfns = true, pinning = true)
class ConcurrencyTest {
    private static final long PAGE = Kernel.PAGE;
    private static final int THREADS = 4;

    @Test
    void concurrentAllocMapFreeAgreesWithTheKernel() throws Exception {
        long pinnedBefore = Kernel.vmPinKiB();
        try (NoIommuBridge bridge = NoIommuBridge.open(0);
                ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                futures.add(pool.submit(() -> churn(bridge, new SplittableRandom(seed))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertEquals(0, bridge.pinnedBytes());
        }
        assertEquals(pinnedBefore, Kernel.vmPinKiB(), "every page unpinned");
    }

    private static void churn(NoIommuBridge bridge, SplittableRandom random) {
        List<MemorySegment> mine = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            if (mine.size() < 8 && random.nextBoolean()) {
                mine.add(bridge.alloc(1 + random.nextLong(4 * PAGE)));
            } else if (!mine.isEmpty() && random.nextInt(4) == 0) {
                bridge.free(mine.remove(random.nextInt(mine.size())));
            } else if (!mine.isEmpty()) {
                MemorySegment s = mine.get(random.nextInt(mine.size()));
                long offset = random.nextLong(s.byteSize());
                assertEquals(Kernel.physical(s.address() + offset), bridge.iovaMap(s.asSlice(offset), 1));
            }
        }
        mine.forEach(bridge::free);
    }

    @Test
    void concurrentDoubleFreeSucceedsExactlyOnce() throws Exception {
        try (NoIommuBridge bridge = NoIommuBridge.open(0);
                ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<MemorySegment> segments = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                segments.add(bridge.alloc(PAGE));
            }
            AtomicInteger wins = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    for (MemorySegment s : segments) {
                        try {
                            bridge.free(s);
                            wins.incrementAndGet();
                        } catch (WdOwnershipException lost) {
                            // another thread freed it first
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertEquals(segments.size(), wins.get());
            assertEquals(0, bridge.pinnedBytes());
        }
    }

    @Test
    void closeRacingWithAllocLeaksNothing() throws Exception {
        long pinnedBefore = Kernel.vmPinKiB();
        for (int round = 0; round < 20; round++) {
            NoIommuBridge bridge = NoIommuBridge.open();
            try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    futures.add(pool.submit(() -> {
                        try {
                            for (int i = 0; i < 50; i++) {
                                bridge.alloc(PAGE);
                            }
                        } catch (dev.wdmm.api.WdClosedException expected) {
                            // closed under us
                        }
                    }));
                }
                bridge.close();
                for (Future<?> f : futures) {
                    f.get();
                }
            }
            assertEquals(0, bridge.pinnedBytes(), "round " + round);
            assertEquals(
                    pinnedBefore, Kernel.vmPinKiB(), "round " + round + ": the kernel counts no page still pinned");
        }
    }
}
