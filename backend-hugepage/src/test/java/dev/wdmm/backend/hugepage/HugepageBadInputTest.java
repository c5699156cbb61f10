package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageBadInputTest {
    private HugeBridge bridge;

    @BeforeEach
    void open() {
        bridge = Hugepages.open(WdOptions.empty());
    }

    @AfterEach
    void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    private static void assertMessage(Class<? extends Throwable> type, String fragment, Executable call) {
        Throwable e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(fragment), "message \"" + e.getMessage() + "\" lacks \"" + fragment + "\"");
    }

    private static void assertReason(Reason reason, Executable call) {
        assertEquals(reason, assertThrows(WdOwnershipException.class, call).reason());
    }

    @Test
    void zeroNegativeAndHugeSizesAreRefused() {
        assertMessage(IllegalArgumentException.class, "size=0 must be > 0", () -> bridge.alloc(0));
        assertMessage(IllegalArgumentException.class, "size=-5 must be > 0", () -> bridge.alloc(-5));
        assertMessage(IllegalArgumentException.class, "size=" + Long.MAX_VALUE, () -> bridge.alloc(Long.MAX_VALUE));
        assertEquals(0, bridge.heldPages());
        assertEquals(0, bridge.allocFailures());
    }

    @Test
    void nullAndHeapSegmentsAreRefused() {
        assertThrows(NullPointerException.class, () -> bridge.free(null));
        assertThrows(NullPointerException.class, () -> bridge.iovaMap(null, 1));
        assertThrows(NullPointerException.class, () -> bridge.iovaUnmap(null, 0, 1));
        MemorySegment heap = MemorySegment.ofArray(new byte[64]);
        assertMessage(IllegalArgumentException.class, "must be a native segment", () -> bridge.free(heap));
        assertMessage(IllegalArgumentException.class, "must be a native segment", () -> bridge.iovaMap(heap, 1));
    }

    @Test
    void foreignMemoryIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(4096);
            assertReason(Reason.FOREIGN, () -> bridge.free(foreign));
            assertReason(Reason.FOREIGN, () -> bridge.iovaMap(foreign, 1));
            assertReason(Reason.FOREIGN, () -> bridge.freeAddress(0));
            assertReason(Reason.FOREIGN, () -> bridge.freeAddress(-4096));
            assertReason(Reason.FOREIGN, () -> bridge.iovaMapAddress(1L << 62, 1));
        }
    }

    @Test
    void interiorFreeIsRefusedAndChangesNothing() {
        MemorySegment small = bridge.alloc(4096);
        MemorySegment run = bridge.alloc(3 * Hugepages.MIB2);
        assertReason(Reason.INTERIOR, () -> bridge.free(small.asSlice(64)));
        assertReason(Reason.INTERIOR, () -> bridge.free(run.asSlice(Hugepages.MIB2 + 4096)));
        assertEquals(2, bridge.liveAllocations());
        bridge.free(small);
        bridge.free(run);
    }

    @Test
    void doubleFreeIsRefused() {
        MemorySegment keep = bridge.alloc(4096);
        MemorySegment small = bridge.alloc(4096);
        bridge.free(small);
        assertReason(Reason.ALREADY_FREED, () -> bridge.free(small));
        MemorySegment run = bridge.alloc(3 * Hugepages.MIB2);
        bridge.free(run);
        // the run's pages went back to the OS; the bridge remembers them as freed (issue 12: not foreign)
        assertReason(Reason.ALREADY_FREED, () -> bridge.free(run));
        assertEquals(1, bridge.liveAllocations());
        bridge.free(keep);
    }

    @Test
    @SuppressWarnings("restricted")
    void mapOfAFreeSlotIsRefused() {
        MemorySegment keep = bridge.alloc(4096);
        MemorySegment freed = bridge.alloc(4096);
        bridge.free(freed);
        assertReason(Reason.ALREADY_FREED, () -> bridge.iovaMap(freed, 1));
        MemorySegment neverAllocated =
                MemorySegment.ofAddress(keep.address() + 64 * 4096).reinterpret(4096);
        assertReason(Reason.ALREADY_FREED, () -> bridge.iovaMap(neverAllocated, 4096));
        bridge.free(keep);
    }

    @Test
    @SuppressWarnings("restricted")
    void badMapRangesAreRefused() {
        MemorySegment segment = bridge.alloc(4096);
        assertMessage(IllegalArgumentException.class, "size=0 must be > 0", () -> bridge.iovaMap(segment, 0));
        assertMessage(IllegalArgumentException.class, "size=-1 must be > 0", () -> bridge.iovaMap(segment, -1));
        assertMessage(
                IllegalArgumentException.class,
                "must be <= segment.byteSize()=4096",
                () -> bridge.iovaMap(segment, 4097));
        MemorySegment wide = segment.reinterpret(1 << 20);
        assertMessage(
                IllegalArgumentException.class, "must end within its allocation", () -> bridge.iovaMap(wide, 8192));
        assertMessage(IllegalArgumentException.class, "wraps", () -> bridge.iovaMapAddress(-4096, 8192));
        assertMessage(IllegalArgumentException.class, "limit=0 must be > 0", () -> bridge.contiguousLength(segment, 0));
        assertMessage(IllegalArgumentException.class, "size=0 must be > 0", () -> bridge.iovaUnmap(segment, 0, 0));
        bridge.free(segment);
    }

    @Test
    void everyOperationAfterCloseIsRefused() {
        MemorySegment segment = bridge.alloc(4096);
        bridge.close();
        assertThrows(WdClosedException.class, () -> bridge.alloc(64));
        assertThrows(WdClosedException.class, () -> bridge.free(segment));
        assertThrows(WdClosedException.class, () -> bridge.iovaMap(segment, 1));
        assertThrows(WdClosedException.class, () -> bridge.iovaUnmap(segment, 0, 1));
        assertThrows(WdClosedException.class, () -> bridge.contiguousLength(segment, 1));
        assertThrows(WdClosedException.class, () -> bridge.allocAddress(64));
        bridge.close();
    }
}
