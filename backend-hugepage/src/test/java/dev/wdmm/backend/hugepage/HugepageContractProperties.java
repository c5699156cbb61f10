package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import dev.wdmm.spi.WdOptions;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/** The shared bad-input properties of wd-core, run against the hugepage bridge. */
@AddLifecycleHook(NeedsHugepages.class)
class HugepageContractProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }
}
