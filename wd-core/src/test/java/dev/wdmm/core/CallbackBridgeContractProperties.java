package dev.wdmm.core;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;

/** The bridge contract's bad-input properties over {@link WdMmBridge#of}, with a pool the caller owns. */
class CallbackBridgeContractProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return CallbackUsr.Pool.bridge(new CallbackUsr.Pool());
    }
}
