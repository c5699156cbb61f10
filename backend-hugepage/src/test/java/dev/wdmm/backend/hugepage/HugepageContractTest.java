package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;

/** The shared bridge contract of wd-core, run against the hugepage bridge (skipped without huge pages). */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageContractTest extends WdMmBridgeContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.empty());
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }
}
