package dev.wdmm.backend.sva;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdMmBridgeCampaign;
import java.util.Map;

/** The reliability campaign (100,000 model-checked random operations) against the sva bridge in checked mode. */
class SvaCheckedCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return new SvaBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.checked", "true")));
    }
}
