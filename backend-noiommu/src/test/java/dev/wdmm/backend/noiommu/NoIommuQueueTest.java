package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdQueue;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdQueueContractTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The shared queue contract of wd-core, run against a queue over the no-IOMMU backend. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuQueueTest extends WdQueueContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    private WdMm mm;

    @Override
    protected WdQueue newQueue() {
        mm = WdMm.builder()
                .backend(NoIommuBackendProvider.NAME)
                .discovery(Discovery.of(List.of(new NoIommuBackendProvider())))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open();
        return mm.openQueue();
    }

    @Override
    protected void closeExtras() {
        mm.close();
    }

    @Override
    protected boolean reserves() {
        return false;
    }
}
