package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;

/** The shared bridge contract of wd-core, run against the no-IOMMU bridge. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuContractTest extends WdMmBridgeContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open();
    }

    /** Allocations are slots of at least 64 bytes, aligned to their size class. */
    @Override
    protected long minimumAlignment() {
        return 64;
    }
}
