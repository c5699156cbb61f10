package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.ConstrainedAllocContract;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;

/** Constrained allocations of the no-IOMMU bridge (4 KiB pages), checked page by page against pagemap. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuConstraintsTest extends ConstrainedAllocContract {
    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open();
    }

    @Override
    protected long deviceAddress(long va) {
        return Kernel.presentPhysical(va);
    }

    @Override
    protected long liveAllocations() {
        return ((NoIommuBridge) bridge).liveAllocations();
    }

    @Override
    protected long multiPageSize() {
        return 3 * PAGE;
    }
}
