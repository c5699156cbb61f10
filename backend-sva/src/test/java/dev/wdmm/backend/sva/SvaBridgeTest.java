package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractTest;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SvaBridgeTest extends WdMmBridgeContractTest {

    @Override
    protected WdMmBridge newBridge() {
        return new SvaBackendProvider().open(WdOptions.empty());
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }

    @Test
    void iovaIsTheVirtualAddressOfEveryByte() {
        MemorySegment segment = bridge.alloc(10_000);
        assertEquals(segment.address(), bridge.iovaMap(segment, 10_000));
        assertEquals(segment.address() + 4321, bridge.iovaMap(segment.asSlice(4321), 100));
        bridge.free(segment);
    }

    @Test
    void touchingFreedOrClosedMemoryThrowsInsteadOfCrashing() {
        MemorySegment freed = bridge.alloc(256);
        MemorySegment live = bridge.alloc(256);
        bridge.free(freed);
        assertThrows(IllegalStateException.class, () -> freed.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        bridge.close();
        assertThrows(IllegalStateException.class, () -> live.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1));
    }

    @Test
    void allocationsOfAPageOrMoreArePageAligned() {
        MemorySegment segment = bridge.alloc(4096);
        assertEquals(0, segment.address() % 4096);
        bridge.free(segment);
    }

    @Test
    void prefaultOptionYieldsZeroedUsableMemory() {
        try (WdMmBridge prefaulted = new SvaBackendProvider()
                .open(WdOptions.fromText(Map.of("wd.mm.sva.prefault", "true")))) {
            MemorySegment segment = prefaulted.alloc(3 * 4096 + 5);
            for (long i = 0; i < segment.byteSize(); i += 97) {
                assertEquals(0, segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
            }
            prefaulted.free(segment);
        }
    }

    @Test
    void unknownSvaOptionAndBadValueAreRefused() {
        SvaBackendProvider provider = new SvaBackendProvider();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.sva.prefualt", "true"))));
        assertMessage(unknown, "wd.mm.sva.prefualt");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.sva.prefault", "yes"))));
        assertMessage(bad, "wd.mm.sva.prefault=yes");
    }

    @Test
    void providerIsFoundThroughServiceLoaderAndAlwaysAvailable() {
        SvaBackendProvider provider = ServiceLoader.load(dev.wdmm.spi.WdBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(SvaBackendProvider.class::isInstance)
                .map(SvaBackendProvider.class::cast)
                .findFirst().orElseThrow();
        assertEquals("sva", provider.name());
        assertEquals(100, provider.priority());
        assertEquals(java.util.Set.of(IommuMode.SVA), provider.modes());
        var availability = provider.availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        assertTrue(availability.isAvailable());
        assertTrue(availability.details().getFirst().contains("page tables"), availability.details().toString());
    }
}
