package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Jvm;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A cached map allocates no Java memory, with many live allocations: measured with the JVM's
 * per-thread allocation counter over 100,000 maps after as many for warm-up (a few KiB of slack
 * cover the counter's own granularity), then every result checked against the kernel's pagemap.
 */
@NeedsKernel(pfns = true, pinning = true)
class GarbageFreeMapTest {
    private static final long PAGE = Kernel.PAGE;
    private static final int LIVE = 1000;
    private static final int CALLS = 100_000;
    private static final int TARGETS = 256;
    private static final long SLACK = 4096;

    private final NoIommuBridge bridge = NoIommuBridge.open();

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void cachedMapsUnmapsAndContiguityQueriesAllocateNothingWithAThousandLiveAllocations() {
        MemorySegment[] live = new MemorySegment[LIVE];
        for (int i = 0; i < LIVE; i++) {
            live[i] = bridge.alloc(i % 10 == 0 ? 4 * PAGE : 1000);
        }
        MemorySegment[] targets = new MemorySegment[TARGETS];
        for (int t = 0; t < TARGETS; t++) {
            targets[t] = live[(t * 997) % LIVE].asSlice((t * 104L) % 900, 64);
        }
        long[] iovas = new long[CALLS];
        long sink = run(targets, iovas);
        long before = Jvm.allocatedBytes();
        sink += run(targets, iovas);
        long used = Jvm.allocatedBytes() - before;
        assertTrue(
                used < SLACK,
                "allocated " + used + " bytes over " + CALLS + " maps with " + LIVE + " live allocations");
        assertTrue(sink > 0);
        for (int i = 0; i < TARGETS; i++) {
            assertEquals(Kernel.physical(targets[i].address()), iovas[i], "target " + i);
        }
    }

    private long run(MemorySegment[] targets, long[] iovas) {
        long sink = 0;
        for (int i = 0; i < CALLS; i++) {
            MemorySegment target = targets[i % TARGETS];
            long iova = bridge.iovaMap(target, 64);
            bridge.iovaUnmap(target, iova, 64);
            iovas[i] = iova;
            sink += bridge.contiguousLength(target, 64);
        }
        return sink;
    }
}
