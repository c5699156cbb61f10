package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.WdMmBridgeCampaign;

/** The reliability campaign (100,000 model-checked random operations) against the noiommu bridge in checked mode. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuCheckedCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open(AllocatorSettings.DEFAULT_RETAIN_EMPTY, Numa.NO_NODE, CheckedMode.ON);
    }
}
