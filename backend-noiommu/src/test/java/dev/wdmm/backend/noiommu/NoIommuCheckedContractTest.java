package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.CheckedBridgeContractTest;
import dev.wdmm.tck.IovaOracle;

/** The bridge contract in checked mode, run against the no-IOMMU bridge. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuCheckedContractTest extends CheckedBridgeContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open(AllocatorSettings.DEFAULT_RETAIN_EMPTY, Numa.NO_NODE, CheckedMode.ON);
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }
}
