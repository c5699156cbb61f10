package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdMmBridgeCampaign;

/** The reliability campaign (100,000 model-checked random operations) against the hugepage bridge. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 64)
class HugepageCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }
}
