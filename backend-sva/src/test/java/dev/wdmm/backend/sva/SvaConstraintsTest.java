package dev.wdmm.backend.sva;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.ConstrainedAllocContract;

/** Constrained allocations of the SVA bridge: IOVA == virtual address, so the oracle is the address. */
class SvaConstraintsTest extends ConstrainedAllocContract {
    @Override
    protected WdMmBridge newBridge() {
        return SvaBridge.open(false);
    }

    @Override
    protected long deviceAddress(long va) {
        return va;
    }

    @Override
    protected long liveAllocations() {
        return ((SvaBridge) bridge).allocator().liveAllocations();
    }

    @Override
    protected long multiPageSize() {
        return 3 * PAGE;
    }
}
