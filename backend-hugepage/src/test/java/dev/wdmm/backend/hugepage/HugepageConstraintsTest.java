package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.ConstrainedAllocContract;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;

/** Constrained allocations of the hugepage bridge, checked page by page against pagemap. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 24)
class HugepageConstraintsTest extends ConstrainedAllocContract {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }

    @Override
    protected long deviceAddress(long va) {
        return Kernel.presentPhysical(va);
    }

    @Override
    protected long liveAllocations() {
        return ((HugeBridge) bridge).liveAllocations();
    }

    /** Three huge pages: adjacent only where the kernel handed out adjacent frames. */
    @Override
    protected long multiPageSize() {
        return 3 * Hugepages.MIB2;
    }
}
