package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;

/** The shared bad-input properties of wd-core, run against the hugepage bridge. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageContractProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }
}
