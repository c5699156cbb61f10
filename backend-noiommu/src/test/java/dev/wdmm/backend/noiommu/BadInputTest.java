package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** SPEC 6: every bad input is refused by name, touches nothing and changes nothing. */
@SuppressWarnings("restricted")
@NeedsKernel(pfns = true, pinning = true)
class BadInputTest {
    private static final long PAGE = Kernel.PAGE;

    /** Keeps no empty chunk, so that "nothing pinned" is checkable after every free. */
    private final NoIommuBridge bridge = NoIommuBridge.open(0);

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void badSizesAreRefused() {
        refused("size=0 must be > 0", () -> bridge.alloc(0));
        refused("size=-1 must be > 0", () -> bridge.alloc(-1));
        refused("size=" + Long.MAX_VALUE + " must be <=", () -> bridge.alloc(Long.MAX_VALUE));
        assertEquals(0, bridge.pinnedBytes());
    }

    @Test
    void allocationBeyondAvailableRamIsRefusedBeforeTouchingAnything() {
        WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(1L << 42));
        assertTrue(e.getMessage().contains("MemAvailable="), e.getMessage());
        assertEquals(1L << 42, e.requested());
        assertEquals(0, bridge.pinnedBytes());
    }

    @Test
    void nullsAreRefusedByName() {
        MemorySegment live = bridge.alloc(PAGE);
        assertEquals(
                "segment is null",
                assertThrows(NullPointerException.class, () -> bridge.free(null))
                        .getMessage());
        assertThrows(NullPointerException.class, () -> bridge.iovaMap(null, 1));
        assertThrows(NullPointerException.class, () -> bridge.iovaUnmap(null, 0, 1));
        assertThrows(NullPointerException.class, () -> bridge.contiguousLength(null, 1));
        assertUnchanged(live);
    }

    @Test
    void badRangesAreRefusedByName() {
        MemorySegment live = bridge.alloc(2 * PAGE);
        long iova = bridge.iovaMap(live, 1);
        refused("size=0 must be > 0", () -> bridge.iovaMap(live, 0));
        refused("size=-8 must be > 0", () -> bridge.iovaMap(live, -8));
        refused("must be <= segment.byteSize()=" + 2 * PAGE, () -> bridge.iovaMap(live, 2 * PAGE + 1));
        refused("size=0 must be > 0", () -> bridge.iovaUnmap(live, iova, 0));
        refused("limit=0 must be > 0", () -> bridge.contiguousLength(live, 0));
        refused("must be <= segment.byteSize()", () -> bridge.contiguousLength(live, 2 * PAGE + 1));
        MemorySegment top = MemorySegment.ofAddress(-PAGE).reinterpret(PAGE);
        refused("wraps the address space", () -> bridge.iovaMap(top, PAGE + 1));
        refused("wraps the address space", () -> bridge.iovaUnmap(top, 0, PAGE + 1));
        refused("must be a native segment", () -> bridge.iovaMap(MemorySegment.ofArray(new byte[8]), 8));
        refused("must be a native segment", () -> bridge.free(MemorySegment.ofArray(new byte[8])));
        WdOwnershipException past = assertThrows(
                WdOwnershipException.class,
                () -> bridge.iovaMap(live.asSlice(PAGE).reinterpret(2 * PAGE), PAGE + 1));
        assertTrue(past.getMessage().contains("runs past the end"), past.getMessage());
        assertUnchanged(live);
    }

    @Test
    void foreignMemoryIsRefused() {
        MemorySegment live = bridge.alloc(PAGE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(PAGE);
            foreign.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertEquals(
                    Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> bridge.free(foreign))
                            .reason());
            assertEquals(
                    Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(foreign, 1))
                            .reason());
            assertThrows(WdOwnershipException.class, () -> bridge.iovaUnmap(foreign, 0, 1));
            assertThrows(WdOwnershipException.class, () -> bridge.contiguousLength(foreign, 1));
        }
        try (NoIommuBridge other = NoIommuBridge.open()) {
            MemorySegment theirs = other.alloc(PAGE);
            assertEquals(
                    Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> bridge.free(theirs))
                            .reason());
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(theirs, 1));
            other.iovaMap(theirs, PAGE);
        }
        assertUnchanged(live);
    }

    @Test
    void interiorFreeIsRefusedButInteriorMapWorks() {
        MemorySegment live = bridge.alloc(2 * PAGE);
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> bridge.free(live.asSlice(8)));
        assertEquals(Reason.INTERIOR, e.reason());
        assertTrue(e.getMessage().contains("is interior to allocation"), e.getMessage());
        assertEquals(Kernel.physical(live.address() + 8), bridge.iovaMap(live.asSlice(8), 8));
        assertUnchanged(live);
    }

    @Test
    void doubleFreeAndUseOfFreedMemoryAreRefused() {
        MemorySegment gone = bridge.alloc(PAGE);
        long iova = bridge.iovaMap(gone, PAGE);
        MemorySegment live = bridge.alloc(PAGE);
        bridge.free(gone);
        assertEquals(
                Reason.ALREADY_FREED,
                assertThrows(WdOwnershipException.class, () -> bridge.free(gone))
                        .reason());
        assertEquals(
                Reason.ALREADY_FREED,
                assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(gone, PAGE))
                        .reason());
        assertThrows(WdOwnershipException.class, () -> bridge.iovaUnmap(gone, iova, PAGE));
        assertThrows(WdOwnershipException.class, () -> bridge.contiguousLength(gone, PAGE));
        assertUnchanged(live);
    }

    @Test
    void mismatchedUnmapIsRefused() {
        MemorySegment live = bridge.alloc(PAGE);
        long iova = bridge.iovaMap(live, 64);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(live, iova + PAGE, 64));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(live.asSlice(1), iova, 63));
        bridge.iovaUnmap(live, iova, 64);
        assertUnchanged(live);
    }

    /** The allocation still maps like the kernel says and can be freed once. */
    private void assertUnchanged(MemorySegment live) {
        assertEquals(Kernel.physical(live.address()), bridge.iovaMap(live, 1));
        bridge.free(live);
        assertEquals(0, bridge.pinnedBytes());
    }

    static void refused(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    static void assertClosed(Executable call) {
        WdClosedException e = assertThrows(WdClosedException.class, call);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
