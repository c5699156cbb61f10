package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.ConstrainedAllocContract;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.util.Map;

/**
 * Constrained allocations of the passthrough bridge (4 KiB blocks of a huge page region; larger
 * sizes are runs of adjacent blocks), checked page by page against pagemap.
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 3)
class PassthroughConstraintsTest extends ConstrainedAllocContract {
    private static final WdOptions OPTIONS =
            WdOptions.fromText(Map.of("wd.mm.passthrough.block-size", "4k", "wd.mm.passthrough.block-count", "512"));

    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider().open(OPTIONS);
    }

    @Override
    protected long deviceAddress(long va) {
        return Kernel.presentPhysical(va);
    }

    @Override
    protected long liveAllocations() {
        return ((PassthroughBridge) bridge).allocatedBlocks();
    }

    @Override
    protected long multiPageSize() {
        return 3 * PAGE;
    }
}
