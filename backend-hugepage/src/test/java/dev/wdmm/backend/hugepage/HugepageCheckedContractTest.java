package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.CheckedBridgeContractTest;
import dev.wdmm.tck.IovaOracle;
import java.util.Map;

/** The bridge contract in checked mode, run against the hugepage bridge (skipped without huge pages). */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageCheckedContractTest extends CheckedBridgeContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    @Override
    protected WdMmBridge newBridge() {
        return Hugepages.open(WdOptions.fromText(Map.of("wd.mm.checked", "true")));
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }
}
