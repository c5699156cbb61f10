package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdMmBridgeCampaign;
import java.util.Map;

/**
 * The reliability campaign (100,000 model-checked random operations) against the passthrough
 * bridge of the contract test (64 blocks of 64 KiB) in checked mode: freed blocks wait in the
 * quarantine, and a shortage drains it.
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 3)
class PassthroughCheckedCampaignTest extends WdMmBridgeCampaign {
    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider()
                .open(PassthroughContractTest.OPTIONS.with(WdOptions.fromText(Map.of("wd.mm.checked", "true"))));
    }
}
