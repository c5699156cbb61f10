package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
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
