package dev.wdmm.backend.sva;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import dev.wdmm.spi.WdOptions;

class SvaBridgeProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return new SvaBackendProvider().open(WdOptions.empty());
    }
}
