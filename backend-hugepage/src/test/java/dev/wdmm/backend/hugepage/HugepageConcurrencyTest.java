package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageConcurrencyTest {
    private static final long[] SIZES = {64, 100, 4096, 65536, 200_000, 3L << 20};
    private static final int THREADS = 4;
    private static final int OPERATIONS = 20_000;

    /** Live allocations of every thread: start address to size. An address present twice is a bug. */
    private final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
    /** Allocations handed from one thread to another, so that frees cross stripes. */
    private final ConcurrentLinkedQueue<MemorySegment> handoff = new ConcurrentLinkedQueue<>();

    @Test
    void concurrentAllocFreeAndMapKeepOwnershipExact() throws Exception {
        HugeBridge bridge = Hugepages.open(WdOptions.empty());
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                done.add(pool.submit(() -> work(bridge, new SplittableRandom(seed))));
            }
            for (Future<?> future : done) {
                future.get();
            }
        }
        for (MemorySegment segment = handoff.poll(); segment != null; segment = handoff.poll()) {
            release(bridge, segment);
        }
        assertTrue(live.isEmpty(), live.size() + " allocations unaccounted for");
        assertEquals(0, bridge.liveAllocations());
        long classes = Long.numberOfTrailingZeros(bridge.largestClass()) - 5;
        long stripes = Long.highestOneBit(2L * Runtime.getRuntime().availableProcessors() - 1) << 1;
        assertTrue(
                bridge.heldPages() <= classes * stripes * HugepageBackendProvider.DEFAULT_RETAIN_EMPTY,
                "held " + bridge.heldPages() + " pages with nothing live");
        bridge.close();
        assertEquals(0, bridge.heldPages());
    }

    private void work(HugeBridge bridge, SplittableRandom random) {
        List<MemorySegment> mine = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            int action = random.nextInt(10);
            if (mine.size() < 48 && action < 5) {
                long size = SIZES[random.nextInt(SIZES.length - (random.nextInt(50) == 0 ? 0 : 1))];
                MemorySegment segment = bridge.alloc(size);
                assertNull(live.putIfAbsent(segment.address(), size), "address handed out twice");
                stamp(segment, segment.address());
                mine.add(segment);
            } else if (!mine.isEmpty() && action < 8) {
                release(bridge, mine.remove(random.nextInt(mine.size())));
            } else if (!mine.isEmpty() && action < 9) {
                handoff.add(mine.remove(random.nextInt(mine.size())));
            } else {
                MemorySegment taken = handoff.poll();
                if (taken != null) {
                    mine.add(taken);
                }
                if (!mine.isEmpty()) {
                    map(bridge, mine.get(random.nextInt(mine.size())), random);
                }
            }
        }
        mine.forEach(segment -> release(bridge, segment));
    }

    private void map(HugeBridge bridge, MemorySegment segment, SplittableRandom random) {
        long offset = random.nextLong(segment.byteSize());
        long iova = bridge.iovaMapAddress(segment.address() + offset, 1);
        if (random.nextInt(20) == 0) {
            assertEquals(Kernel.presentPhysical(segment.address() + offset), iova);
        }
    }

    private void release(HugeBridge bridge, MemorySegment segment) {
        // the stamps prove no other allocation overlapped this one while it was live
        assertEquals(segment.address(), segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
        assertEquals(~segment.address(), segment.get(ValueLayout.JAVA_LONG_UNALIGNED, segment.byteSize() - 8));
        assertEquals(segment.byteSize(), live.remove(segment.address()));
        bridge.free(segment);
    }

    private static void stamp(MemorySegment segment, long address) {
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, address);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, segment.byteSize() - 8, ~address);
    }
}
