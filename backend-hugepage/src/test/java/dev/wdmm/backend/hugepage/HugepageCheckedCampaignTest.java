package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdMmBridgeCampaign;
import java.util.Map;

/** The reliability campaign (100,000 model-checked random operations) against the hugepage bridge in checked mode. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 64)
class HugepageCheckedCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.fromText(Map.of("wd.mm.checked", "true")));
    }
}
