package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import dev.wdmm.memory.testing.NeedsKernel;

/** The shared bad-input properties of wd-core, run against the no-IOMMU bridge. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuContractProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open();
    }
}
