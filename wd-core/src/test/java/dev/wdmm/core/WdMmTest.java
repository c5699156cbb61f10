package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdQueue;
import dev.wdmm.core.testproviders.FakeProvider;
import dev.wdmm.core.testproviders.IdentityBridge;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WdMmTest {
    private final FakeProvider.Alpha alpha = new FakeProvider.Alpha();

    private WdMm.Builder builder() {
        return WdMm.builder()
                .discovery(Discovery.of(List.of(alpha)))
                .root(ModeDetectorTest.fixture("noiommu"))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")));
    }

    @Test
    void openSelectsDetectsAndOpensTheBridgeWithOptions() {
        try (WdMm mm = builder()
                .option(FakeProvider.SIZE, 4096L)
                .option("wd.mm.fake.extra", "1")
                .open()) {
            assertEquals(IommuMode.NO_IOMMU, mm.selection().mode());
            assertEquals("alpha", mm.selection().requireSelected());
            assertEquals(4096L, alpha.lastOptions.get(FakeProvider.SIZE));
            MemorySegment segment = mm.bridge().alloc(64);
            WdQueue queue = mm.openQueue();
            assertEquals(segment.address(), queue.iovaMap(segment, 64));
            mm.bridge().free(segment);
        }
    }

    @Test
    void closeClosesQueuesAndBridgeAndRefusesLaterUse() {
        WdMm mm = builder().open();
        IdentityBridge bridge = (IdentityBridge) mm.bridge();
        WdQueue queue = mm.openQueue();
        mm.close();
        mm.close();
        assertTrue(bridge.isClosed());
        assertThrows(WdClosedException.class, () -> queue.reservedMemory());
        assertThrows(WdClosedException.class, mm::bridge);
        assertThrows(WdClosedException.class, mm::openQueue);
    }

    @Test
    void badOptionValueFailsNamingIt() {
        WdSelectionException e = assertThrows(
                WdSelectionException.class,
                () -> builder().option("wd.mm.fake.size", "huge").open());
        assertTrue(e.getMessage().contains("wd.mm.fake.size=huge must be a size"), e.getMessage());
        assertTrue(e.getMessage().contains("(API option wd.mm.fake.size; backend alpha)"), e.getMessage());
        assertEquals(null, alpha.lastOptions, "refused before open()");
    }

    @Test
    void misspeltLeakDetectionLevelFailsBeforeAnythingIsOpened() {
        String before = System.getProperty("wd.mm.leak-detection");
        System.setProperty("wd.mm.leak-detection", "paranoia");
        try {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> builder().open());
            assertTrue(
                    e.getMessage().contains("wd.mm.leak-detection=paranoia must be one of off, simple, paranoid"),
                    e.getMessage());
            assertEquals(null, alpha.lastOptions, "refused before open()");
        } finally {
            if (before == null) {
                System.clearProperty("wd.mm.leak-detection");
            } else {
                System.setProperty("wd.mm.leak-detection", before);
            }
        }
    }

    @Test
    void optionWithoutPrefixIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> builder().option("size", "1"));
        assertTrue(e.getMessage().contains("option=size must start with wd.mm."), e.getMessage());
    }

    @Test
    void defaultsOnThisMachineSelectNothingWithoutBackendsOnTheClassPath() {
        Selection selection = WdMm.builder()
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .select();
        assertEquals(IommuMode.NO_IOMMU, selection.mode());
        assertTrue(selection.selected().isEmpty(), selection.toText());
    }
}
