package dev.wdmm.backend.sva;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdQueue;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdQueueContractTest;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class SvaQueueTest extends WdQueueContractTest {

    /** SVA: the device uses the process's own addresses. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.identity();
    }

    private WdMm mm;

    @Override
    protected WdQueue newQueue() {
        mm = WdMm.builder()
                .backend("sva")
                .discovery(Discovery.of(List.of(new SvaBackendProvider())))
                .detector(() -> new Detection(Path.of("/"), IommuMode.SVA, List.of("test"), List.of()))
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
