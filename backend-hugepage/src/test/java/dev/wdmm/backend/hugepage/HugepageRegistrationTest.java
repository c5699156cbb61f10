package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.memory.testing.RegistrationContract;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Registration and IOVA → VA on the huge page bridge, against {@code /proc/self/pagemap} read by
 * the test: registered memory (base pages) is pinned and translated page by page, the bridge's own
 * huge pages are found by IOVA through their physical frames.
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 8)
class HugepageRegistrationTest extends RegistrationContract {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }

    @Override
    protected long oracleIova(long va) {
        return Kernel.presentPhysical(va);
    }

    @Test
    void everyByteOfAHugePageAllocationRoundTrips() {
        MemorySegment segment = bridge.alloc(1L << 20);
        for (long offset = 0; offset < segment.byteSize(); offset += 65537) {
            long iova = bridge.iovaMap(segment.asSlice(offset), 1);
            assertEquals(segment.address() + offset, lookup().addressOf(iova));
        }
    }
}
