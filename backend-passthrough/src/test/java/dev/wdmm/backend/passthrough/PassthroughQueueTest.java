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
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdQueueContractTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** wd-core's queue contract over the passthrough backend: reservations come from huge pages. */
@SuppressWarnings("restricted")
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class PassthroughQueueTest extends WdQueueContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    private WdMm mm;

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
        WdReservedMemory region = queue.reserveMemory(3 * Kernel.HUGE_2M);
        for (WdSlice slice : region.slices()) {
            for (long offset = 0; offset < slice.size(); offset += Kernel.HUGE_2M) {
                assertEquals(Kernel.presentPhysical(slice.va() + offset), slice.dma() + offset);
            }
            long iova = queue.iovaMap(MemorySegment.ofAddress(slice.va() + 4100).reinterpret(8), 8);
            assertEquals(Kernel.presentPhysical(slice.va() + 4100), iova);
        }
        assertTrue(region.segment().byteSize() >= 3 * Kernel.HUGE_2M);
    }
}
