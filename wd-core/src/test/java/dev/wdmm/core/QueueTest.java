package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.core.testproviders.FakeProvider;
import dev.wdmm.core.testproviders.TwoSliceRegionSource;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdQueueContractTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted")
class QueueTest extends WdQueueContractTest {
    private final TwoSliceRegionSource source = new TwoSliceRegionSource();
    private WdMm mm;

    @Override
    protected WdQueue newQueue() {
        mm = WdMm.builder()
                .discovery(Discovery.of(List.of(new FakeProvider(
                        "sliced", Set.of(IommuMode.PASSTHROUGH), 1, WdAvailability.available(), source))))
                .detector(() -> new Detection(Path.of("/"), IommuMode.PASSTHROUGH, List.of("test"), List.of()))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open();
        return mm.openQueue();
    }

    /** Identity for the bridge's memory, the fixture's two DMA bases for reserved memory. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.of("identity bridge, two-slice regions", source::dmaOf);
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
    void mapInsideEachSliceIsDmaPlusOffset() {
        WdReservedMemory region = queue.reserveMemory(8192);
        long base = region.segment().address();
        assertEquals(
                TwoSliceRegionSource.FIRST_DMA + 100,
                queue.iovaMap(MemorySegment.ofAddress(base + 100).reinterpret(8), 8));
        assertEquals(
                TwoSliceRegionSource.SECOND_DMA + 5,
                queue.iovaMap(MemorySegment.ofAddress(base + 4096 + 5).reinterpret(8), 8));
        assertEquals(IommuMode.PASSTHROUGH, queue.mode());
    }

    @Test
    void crossingSlicesGivesTheBreakOffset() {
        WdReservedMemory region = queue.reserveMemory(8192);
        long start = region.segment().address() + 4090;
        WdMappingException e = assertThrows(
                WdMappingException.class,
                () -> queue.iovaMap(MemorySegment.ofAddress(start).reinterpret(16), 16));
        assertEquals(6, e.breakOffset());
        assertTrue(e.getMessage().contains("into the next slice at offset 6"), e.getMessage());
    }

    @Test
    void rangeRunningPastTheRegionEndIsRefused() {
        WdReservedMemory region = queue.reserveMemory(8192);
        long start = region.segment().address() + 8192 - 4;
        WdMappingException e = assertThrows(
                WdMappingException.class,
                () -> queue.iovaMap(MemorySegment.ofAddress(start).reinterpret(16), 16));
        assertTrue(e.getMessage().contains("runs past the end of the reserved memory"), e.getMessage());
    }

    @Test
    void closeReleasesTheReservedMemoryOnce() {
        queue.reserveMemory(4096);
        assertEquals(1, source.liveRegions());
        queue.close();
        queue.close();
        assertEquals(0, source.liveRegions());
    }

    @Test
    void queueWithoutRegionSourceRefusesReservationNamingTheBackend() {
        try (WdMm plain = WdMm.builder()
                .discovery(Discovery.of(List.of(new FakeProvider.Alpha())))
                .detector(() -> new Detection(Path.of("/"), IommuMode.NO_IOMMU, List.of("test"), List.of()))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open()) {
            WdQueue q = plain.openQueue();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.reserveMemory(4096));
            assertTrue(e.getMessage().contains("backend=alpha has no region source"), e.getMessage());
        }
    }
}
