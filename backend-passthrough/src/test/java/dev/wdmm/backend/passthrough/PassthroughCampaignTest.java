package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.WdMmBridgeCampaign;

/**
 * The reliability campaign (100,000 model-checked random operations) against the passthrough
 * bridge of the contract test (64 blocks of 64 KiB): running out of blocks is part of the run.
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 3)
class PassthroughCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider().open(PassthroughContractTest.OPTIONS);
    }
}
