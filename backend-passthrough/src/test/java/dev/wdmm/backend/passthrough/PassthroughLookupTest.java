package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** IOVA → VA on the passthrough bridge, against pagemap read by the test. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class PassthroughLookupTest {
    private static final WdOptions SMALL =
            WdOptions.fromText(Map.of("wd.mm.passthrough.block-size", "65536", "wd.mm.passthrough.block-count", "64"));

    @Test
    void everyInteriorIovaRoundTripsAndMatchesPagemap() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(SMALL)) {
            WdIovaLookup lookup = bridge.unwrap(WdIovaLookup.class).orElseThrow();
            for (long size : new long[] {64, 4096, 65536, 200_000}) {
                MemorySegment segment = bridge.alloc(size);
                for (long offset : new long[] {0, 1, size / 2, size - 1}) {
                    long va = segment.address() + offset;
                    long iova = bridge.iovaMap(segment.asSlice(offset), 1);
                    assertEquals(Kernel.presentPhysical(va), iova);
                    assertEquals(va, lookup.addressOf(iova));
                    assertEquals(va, lookup.segmentOf(iova, 1).address());
                }
                assertThrows(WdIovaException.class, () -> lookup.segmentOf(bridge.iovaMap(segment, 1), size + 1));
            }
        }
    }

    @Test
    void freedForeignAndClosedAreRefusedNamingTheIova() {
        WdIovaLookup lookup;
        long iova;
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(SMALL)) {
            lookup = bridge.unwrap(WdIovaLookup.class).orElseThrow();
            MemorySegment segment = bridge.alloc(1000);
            iova = bridge.iovaMap(segment.asSlice(10), 10);
            bridge.free(segment);
            WdIovaException freed = assertThrows(WdIovaException.class, () -> lookup.addressOf(iova));
            assertEquals(WdIovaException.Reason.FREED, freed.reason());
            assertTrue(freed.getMessage().contains("iova=0x" + Long.toHexString(iova)), freed.getMessage());
            WdIovaException foreign = assertThrows(WdIovaException.class, () -> lookup.addressOf(0x1000));
            assertEquals(WdIovaException.Reason.FOREIGN, foreign.reason());
        }
        assertThrows(WdClosedException.class, () -> lookup.addressOf(iova));
    }

    @Test
    void aQueuesLookupFindsItsReservedMemoryThenItsBridges() {
        try (WdMm mm = WdMm.builder()
                .backend("passthrough")
                .discovery(Discovery.of(List.of(new PassthroughBackendProvider())))
                .detector(() -> new Detection(Path.of("/"), IommuMode.PASSTHROUGH, List.of("test"), List.of()))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open()) {
            WdQueue queue = mm.openQueue();
            WdIovaLookup lookup = WdIovaLookup.of(queue);
            WdReservedMemory region = queue.reserveMemory(2 * Kernel.HUGE_2M);
            MemorySegment inside = region.segment().asSlice(Kernel.HUGE_2M + 4100, 64);
            long iova = queue.iovaMap(inside, 64);
            assertEquals(Kernel.presentPhysical(inside.address()), iova);
            assertEquals(inside.address(), lookup.addressOf(iova));
            assertEquals(inside.address(), lookup.segmentOf(iova, 64).address());
            MemorySegment own = mm.bridge().alloc(100);
            assertEquals(own.address() + 3, lookup.addressOf(queue.iovaMap(own.asSlice(3), 1)));
            assertThrows(WdIovaException.class, () -> lookup.addressOf(0x1000));
            queue.close();
            assertThrows(WdClosedException.class, () -> lookup.addressOf(iova));
        }
    }

    @Test
    void checkedModeRefusesQuarantinedBlocks() {
        try (WdMmBridge bridge = new PassthroughBackendProvider()
                .open(WdOptions.fromText(Map.of(
                        "wd.mm.passthrough.block-size", "65536",
                        "wd.mm.passthrough.block-count", "64",
                        "wd.mm.checked", "true")))) {
            WdIovaLookup lookup = bridge.unwrap(WdIovaLookup.class).orElseThrow();
            MemorySegment segment = bridge.alloc(100);
            long iova = bridge.iovaMap(segment, 100);
            assertEquals(segment.address(), lookup.addressOf(iova));
            bridge.free(segment);
            assertThrows(WdIovaException.class, () -> lookup.addressOf(iova));
        }
    }
}
