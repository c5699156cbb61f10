package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import dev.wdmm.spi.WdOptions;
import java.util.Map;
import net.jqwik.api.lifecycle.BeforeContainer;

/** wd-core's bad-input properties, run against passthrough bridges of 8 KiB blocks (one huge page each). */
class PassthroughContractProperties extends WdMmBridgeContractProperties {
    private static final WdOptions OPTIONS = WdOptions.fromText(Map.of(
            "wd.mm.passthrough.block-size", "8k", "wd.mm.passthrough.block-count", "16"));

    @BeforeContainer
    static void needsHugepages() {
        FreeHugepages.assume(2);
    }

    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider().open(OPTIONS);
    }
}
