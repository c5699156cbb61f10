package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SvaBridgeTest extends WdMmBridgeContractTest {

    /** SVA: the device uses the process's own addresses. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.identity();
    }

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
    void touchingMemoryWhoseChunkWasReleasedOrClosedThrowsInsteadOfCrashing() {
        MemorySegment large = bridge.alloc(3 << 20); // larger than a chunk: a chunk of its own, unmapped by free
        MemorySegment small = bridge.alloc(256);
        bridge.free(large);
        assertThrows(IllegalStateException.class, () -> large.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        bridge.close();
        assertThrows(
                IllegalStateException.class, () -> small.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1));
    }

    @Test
    void mapOfAPageSizedAllocationAfterItsFreeIsRefusedOnEveryPage() {
        MemorySegment segment = bridge.alloc(3 * 4096 + 100);
        assertEquals(segment.address() + 8192, bridge.iovaMap(segment.asSlice(8192, 64), 64));
        bridge.free(segment);
        WdOwnershipException start = assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(segment, 64));
        assertEquals(WdOwnershipException.Reason.ALREADY_FREED, start.reason());
        for (long offset = 0; offset < segment.byteSize(); offset += 4096) {
            MemorySegment interior = segment.asSlice(offset, 64);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(interior, 64));
            assertThrows(WdOwnershipException.class, () -> bridge.iovaUnmap(interior, interior.address(), 64));
        }
    }

    @SuppressWarnings("restricted")
    @Test
    void rangeFromAPageSizedAllocationIntoTheTailOfItsLastPageIsRefused() {
        MemorySegment segment = bridge.alloc(4096 + 100);
        MemorySegment last = segment.asSlice(4096 + 36, 64);
        assertEquals(last.address(), bridge.iovaMap(last, 64));
        MemorySegment past = last.reinterpret(65);
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(past, 65));
        assertMessage(e, "runs past the end");
        bridge.free(segment);
    }

    @SuppressWarnings("restricted")
    @Test
    void smallAllocationsMapWhetherOrNotTheyShareAPageWithALargeOne() {
        List<MemorySegment> large = new ArrayList<>();
        List<MemorySegment> small = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            large.add(bridge.alloc(4096 + 64 * (i + 1)));
            for (int j = 0; j < 8; j++) {
                small.add(bridge.alloc(64 + 16 * j));
            }
        }
        for (MemorySegment segment : small) {
            assertEquals(segment.address(), bridge.iovaMap(segment, segment.byteSize()));
            bridge.iovaUnmap(segment, segment.address(), segment.byteSize());
            MemorySegment past = segment.reinterpret(segment.byteSize() + 1);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(past, past.byteSize()));
        }
        for (MemorySegment segment : large) {
            assertEquals(segment.address(), bridge.iovaMap(segment, segment.byteSize()));
            bridge.free(segment);
        }
        for (MemorySegment segment : small) {
            assertEquals(segment.address(), bridge.iovaMap(segment, segment.byteSize()));
            bridge.free(segment);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(segment, segment.byteSize()));
        }
    }

    @Test
    void allocationsOfAPageOrMoreArePageAligned() {
        MemorySegment segment = bridge.alloc(4096);
        assertEquals(0, segment.address() % 4096);
        bridge.free(segment);
    }

    @Test
    void prefaultOptionYieldsZeroedUsableMemory() {
        try (WdMmBridge prefaulted =
                new SvaBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.sva.prefault", "true")))) {
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
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.sva.prefualt", "true"))));
        assertMessage(unknown, "wd.mm.sva.prefualt");
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.sva.prefault", "yes"))));
        assertMessage(bad, "wd.mm.sva.prefault=yes");
    }

    @Test
    void providerIsFoundThroughServiceLoaderAndAlwaysAvailable() {
        SvaBackendProvider provider = ServiceLoader.load(dev.wdmm.spi.WdBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(SvaBackendProvider.class::isInstance)
                .map(SvaBackendProvider.class::cast)
                .findFirst()
                .orElseThrow();
        assertEquals("sva", provider.name());
        assertEquals(100, provider.priority());
        assertEquals(java.util.Set.of(IommuMode.SVA), provider.modes());
        var availability = provider.availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        assertTrue(availability.isAvailable());
        assertTrue(
                availability.details().getFirst().contains("page tables"),
                availability.details().toString());
    }
}
