package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.WdMmBridgeCampaign;

/** The reliability campaign (100,000 model-checked random operations) against the noiommu bridge. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open();
    }
}
