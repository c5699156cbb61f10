package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractTest;
import org.junit.jupiter.api.BeforeAll;

/** The shared bridge contract of wd-core, run against the no-IOMMU bridge. */
class NoIommuContractTest extends WdMmBridgeContractTest {
    @BeforeAll
    static void needsPfns() {
        assumeTrue(KernelPagemap.pfnsVisible(), "pagemap shows no PFNs without CAP_SYS_ADMIN");
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
