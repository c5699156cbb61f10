package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;

/** The bridge's bad-input properties over the VFIO bridge (type1 v2 rules in place of the ioctls). */
class VfioContractProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return RuleContainer.bridge();
    }
}
