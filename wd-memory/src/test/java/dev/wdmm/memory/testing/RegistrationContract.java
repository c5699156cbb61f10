package dev.wdmm.memory.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdRegistration;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.api.WdRegistrationException.Reason;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every bridge offering {@link WdRegistration} and {@link WdIovaLookup} must do (issue 16,
 * items 1 and 2), checked against an oracle of the test's own ({@link #oracleIova}: pagemap read by
 * the test, the VFIO stand-in's recorded mappings, or the address itself for SVA). A backend's test
 * extends it and says how to open a bridge.
 */
public abstract class RegistrationContract {
    /** Offsets into a registered 64 KiB segment: page starts, interiors, the last byte. */
    private static final long[] OFFSETS = {0, 1, 4095, 4096, 8191, 12288, 40000, 65535};

    /** The bridge under test, fresh per test. */
    protected WdMmBridge bridge;
    /** Owns the test's external memory. */
    protected Arena arena;

    /**
     * A fresh bridge.
     *
     * @return the bridge
     */
    protected abstract WdMmBridge newBridge();

    /**
     * The IOVA the device must be given for the byte at {@code va}, by the test's own means.
     *
     * @param va an address of registered or bridge memory
     * @return the IOVA
     */
    protected abstract long oracleIova(long va);

    @BeforeEach
    void openBridge() {
        bridge = newBridge();
        arena = Arena.ofShared();
    }

    @AfterEach
    void closeBridge() {
        bridge.close();
        arena.close();
    }

    /** The bridge's registration capability. */
    protected WdRegistration registration() {
        return bridge.unwrap(WdRegistration.class).orElseThrow();
    }

    /** The bridge's reverse lookup. */
    protected WdIovaLookup lookup() {
        return bridge.unwrap(WdIovaLookup.class).orElseThrow();
    }

    /** Page-aligned memory of the test's own, touched. */
    protected MemorySegment external(long size) {
        MemorySegment segment = arena.allocate(size, 4096);
        segment.fill((byte) 0x5a);
        return segment;
    }

    /** The longest IOVA-contiguous length from the start of {@code segment}, at most its size. */
    private long contiguous(MemorySegment segment) {
        return bridge.unwrap(WdContiguity.class)
                .map(c -> c.contiguousLength(segment, segment.byteSize()))
                .orElse(segment.byteSize());
    }

    @Test
    void everySliceOfRegisteredMemoryMapsToTheOracleIovaAndBack() {
        MemorySegment memory = external(64 << 10);
        registration().register(memory);
        assertEquals(64 << 10, registration().registeredBytes());
        for (long offset : OFFSETS) {
            MemorySegment slice = memory.asSlice(offset);
            long size = contiguous(slice);
            long iova = bridge.iovaMap(slice, size);
            assertEquals(oracleIova(slice.address()), iova, "offset=" + offset);
            assertEquals(slice.address(), lookup().addressOf(iova), "offset=" + offset);
            assertEquals(iova, oracleIova(lookup().addressOf(iova)));
            bridge.iovaUnmap(slice, iova, size);
        }
    }

    @Test
    void segmentOfAnIovaReachesTheSameBytes() {
        MemorySegment memory = external(16 << 10);
        registration().register(memory);
        long iova = bridge.iovaMap(memory.asSlice(100), 16);
        MemorySegment seen = lookup().segmentOf(iova, 16);
        seen.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, memory.get(ValueLayout.JAVA_LONG_UNALIGNED, 100));
        bridge.iovaUnmap(memory.asSlice(100), iova, 16);
    }

    @Test
    void iovaToVaRoundTripsOnBridgeMemoryAtInteriorOffsets() {
        for (long size : new long[] {64, 4096, 100_000, 3L << 20}) {
            MemorySegment segment = bridge.alloc(size);
            for (long offset : new long[] {0, 1, size / 2, size - 1}) {
                long va = segment.address() + offset;
                long iova = bridge.iovaMap(segment.asSlice(offset), 1);
                assertEquals(oracleIova(va), iova, "size=" + size + " offset=" + offset);
                assertEquals(va, lookup().addressOf(iova), "size=" + size + " offset=" + offset);
                assertEquals(va, lookup().segmentOf(iova, 1).address());
                bridge.iovaUnmap(segment.asSlice(offset), iova, 1);
            }
            bridge.free(segment);
        }
    }

    @Test
    void freedMemoryIsRefusedByTheLookupNamingTheIova() {
        MemorySegment keep = bridge.alloc(64); // keeps the chunk: the freed slot stays in held memory
        MemorySegment small = bridge.alloc(64);
        MemorySegment large = bridge.alloc(3L << 20);
        long smallIova = bridge.iovaMap(small, 64);
        long largeIova = bridge.iovaMap(large.asSlice(5000), 1);
        bridge.free(small);
        bridge.free(large);
        WdIovaException s = assertThrows(WdIovaException.class, () -> lookup().addressOf(smallIova));
        assertEquals(WdIovaException.Reason.FREED, s.reason());
        assertTrue(s.getMessage().contains("iova=0x" + Long.toHexString(smallIova)), s.getMessage());
        WdIovaException l = assertThrows(WdIovaException.class, () -> lookup().addressOf(largeIova));
        assertEquals(largeIova, l.iova());
        assertEquals(keep.address(), lookup().addressOf(bridge.iovaMap(keep, 64)));
    }

    @Test
    void foreignIovasAreRefusedNamingTheIovaInHex() {
        WdIovaException e = assertThrows(WdIovaException.class, () -> lookup().addressOf(0x1000));
        assertEquals(WdIovaException.Reason.FOREIGN, e.reason());
        assertTrue(e.getMessage().contains("iova=0x1000"), e.getMessage());
        MemorySegment unregistered = external(4096);
        long va = unregistered.address();
        assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(unregistered, 1));
        registration().register(unregistered);
        long iova = bridge.iovaMap(unregistered, 1);
        bridge.iovaUnmap(unregistered, iova, 1);
        registration().unregister(unregistered);
        assertThrows(WdIovaException.class, () -> lookup().addressOf(iova));
        assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(unregistered, 1));
        assertEquals(va, unregistered.address());
    }

    @Test
    void registeringTheSameRangeTwiceNeedsTwoUnregisters() {
        MemorySegment memory = external(8192);
        registration().register(memory);
        registration().register(memory);
        assertEquals(8192, registration().registeredBytes());
        registration().unregister(memory);
        long iova = bridge.iovaMap(memory, 1);
        bridge.iovaUnmap(memory, iova, 1);
        registration().unregister(memory);
        assertEquals(0, registration().registeredBytes());
        assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(memory, 1));
        WdRegistrationException third =
                assertThrows(WdRegistrationException.class, () -> registration().unregister(memory));
        assertEquals(Reason.NOT_REGISTERED, third.reason());
    }

    @Test
    void lastUnregisterIsRefusedWhileAMappingIsLive() {
        MemorySegment memory = external(8192);
        registration().register(memory);
        long iova = bridge.iovaMap(memory.asSlice(64), 128);
        WdRegistrationException e =
                assertThrows(WdRegistrationException.class, () -> registration().unregister(memory));
        assertEquals(Reason.MAPPINGS_LIVE, e.reason());
        assertTrue(e.getMessage().contains("live_mappings=1"), e.getMessage());
        assertEquals(iova, bridge.iovaMap(memory.asSlice(64), 128)); // still registered
        bridge.iovaUnmap(memory.asSlice(64), iova, 128);
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(memory.asSlice(64), iova + 1, 128));
        bridge.iovaUnmap(memory.asSlice(64), iova, 128);
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(memory.asSlice(64), iova, 128));
        registration().unregister(memory);
        assertEquals(0, registration().registeredBytes());
    }

    @Test
    void badInputIsRefusedWithTheRuleAndChangesNothing() {
        WdRegistration r = registration();
        MemorySegment memory = external(16384);
        r.register(memory);
        assertThrows(NullPointerException.class, () -> r.register(null));
        assertThrows(NullPointerException.class, () -> r.unregister(null));
        assertThrows(IllegalArgumentException.class, () -> r.register(MemorySegment.ofArray(new byte[4096])));
        assertThrows(
                IllegalArgumentException.class, () -> r.register(external(4096).asSlice(0, 0)));
        assertReason(Reason.NOT_ALIGNED, () -> r.register(external(8192).asSlice(64, 4096)));
        assertReason(Reason.NOT_ALIGNED, () -> r.register(external(8192).asSlice(0, 4000)));
        assertReason(Reason.OVERLAPS_REGISTRATION, () -> r.register(memory.asSlice(4096, 4096)));
        assertReason(Reason.OVERLAPS_REGISTRATION, () -> r.register(memory.asSlice(0, 8192)));
        MemorySegment own = bridge.alloc(8192);
        assertReason(Reason.OVERLAPS_BRIDGE_MEMORY, () -> r.register(own));
        assertReason(Reason.NOT_REGISTERED, () -> r.unregister(external(4096)));
        assertReason(Reason.NOT_REGISTERED, () -> r.unregister(memory.asSlice(0, 4096)));
        WdOwnershipException free = assertThrows(WdOwnershipException.class, () -> bridge.free(memory));
        assertTrue(free.getMessage().contains("registered"), free.getMessage());
        assertEquals(16384, r.registeredBytes());
        long iova = bridge.iovaMap(memory, contiguous(memory));
        assertEquals(oracleIova(memory.address()), iova);
        bridge.iovaUnmap(memory, iova, contiguous(memory));
        bridge.free(own);
    }

    @Test
    void closeReleasesRegistrationsAndRefusesEverythingAfter() {
        MemorySegment memory = external(8192);
        WdRegistration r = registration();
        WdIovaLookup lookup = lookup();
        r.register(memory);
        long iova = bridge.iovaMap(memory, 1);
        bridge.close();
        assertEquals(0, r.registeredBytes());
        assertThrows(WdClosedException.class, () -> r.register(external(4096)));
        assertThrows(WdClosedException.class, () -> r.unregister(memory));
        assertThrows(WdClosedException.class, () -> lookup.addressOf(iova));
        memory.fill((byte) 1); // still the application's memory
        assertNotEquals(0, memory.get(ValueLayout.JAVA_BYTE, 0));
    }

    private static void assertReason(Reason reason, org.junit.jupiter.api.function.Executable call) {
        WdRegistrationException e = assertThrows(WdRegistrationException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
    }
}
