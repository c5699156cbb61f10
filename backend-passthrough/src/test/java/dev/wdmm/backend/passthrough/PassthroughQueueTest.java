package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.core.contract.WdQueueContractTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** wd-core's queue contract over the passthrough backend: reservations come from huge pages. */
@SuppressWarnings("restricted")
class PassthroughQueueTest extends WdQueueContractTest {
    private WdMm mm;

    @BeforeAll
    static void needsHugepages() {
        FreeHugepages.assume(4);
    }

    @Override
    protected WdQueue newQueue() {
        mm = WdMm.builder()
                .backend("passthrough")
                .discovery(Discovery.of(List.of(new PassthroughBackendProvider())))
                .detector(() -> new Detection(Path.of("/"), IommuMode.PASSTHROUGH, List.of("test"), List.of()))
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
        return true;
    }

    @Test
    void reservedSlicesCarryTheKernelsPhysicalAddresses() {
        WdReservedMemory region = queue.reserveMemory(3 * FreeHugepages.HUGE);
        for (WdSlice slice : region.slices()) {
            for (long offset = 0; offset < slice.size(); offset += FreeHugepages.HUGE) {
                assertEquals(ProcPagemap.physical(slice.va() + offset), slice.dma() + offset);
            }
            long iova = queue.iovaMap(MemorySegment.ofAddress(slice.va() + 4100).reinterpret(8), 8);
            assertEquals(ProcPagemap.physical(slice.va() + 4100), iova);
        }
        assertTrue(region.segment().byteSize() >= 3 * FreeHugepages.HUGE);
    }
}
