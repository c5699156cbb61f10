package dev.wdmm.backend.sva;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdMmBridgeCampaign;

/** The reliability campaign (100,000 model-checked random operations) against the sva bridge. */
class SvaCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return new SvaBackendProvider().open(WdOptions.empty());
    }
}
