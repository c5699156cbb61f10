package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.tck.WdMmBridgeCampaign;

/**
 * The reliability campaign (100,000 model-checked random operations) against the VFIO bridge, on
 * the host: the type1 v2 rules in place of the two DMA ioctls ({@link RuleContainer}).
 */
class VfioCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return RuleContainer.bridge();
    }
}
