package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractTest;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;

/** The shared bridge contract of wd-core, run against the hugepage bridge (skipped without huge pages). */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageContractTest extends WdMmBridgeContractTest {
    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }
}
