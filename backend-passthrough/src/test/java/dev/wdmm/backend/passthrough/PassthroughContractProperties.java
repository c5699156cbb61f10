package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.util.Map;

/** wd-core's bad-input properties, run against passthrough bridges of 8 KiB blocks (one huge page each). */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 2)
class PassthroughContractProperties extends WdMmBridgeContractProperties {
    private static final WdOptions OPTIONS =
            WdOptions.fromText(Map.of("wd.mm.passthrough.block-size", "8k", "wd.mm.passthrough.block-count", "16"));

    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider().open(OPTIONS);
    }
}
