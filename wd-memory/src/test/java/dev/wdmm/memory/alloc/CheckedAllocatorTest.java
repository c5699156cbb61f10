package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CheckedAllocatorTest {
    private static final long CHUNK = 2L << 20;

    static ChunkAllocator open(TestSource source, CheckedMode mode) {
        return ChunkAllocator.open(source, new AllocatorSettings("checked allocator", 0, 2, mode));
    }

    @Test
    void accessAfterFreeThrowsForSlotsAndRuns() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), CheckedMode.ON)) {
            assertTrue(allocator.isChecked());
            MemorySegment small = allocator.alloc(64);
            MemorySegment run = allocator.alloc(3L << 20);
            MemorySegment kept = allocator.alloc(64);
            small.set(ValueLayout.JAVA_BYTE, 63, (byte) 1);
            run.fill((byte) 2);
            allocator.freeAddress(small.address());
            allocator.freeAddress(run.address());
            assertThrows(IllegalStateException.class, () -> small.get(ValueLayout.JAVA_BYTE, 63));
            assertThrows(IllegalStateException.class, () -> small.set(ValueLayout.JAVA_BYTE, 0, (byte) 3));
            assertThrows(IllegalStateException.class, () -> run.fill((byte) 4));
            kept.set(ValueLayout.JAVA_LONG, 56, 42L);
            assertEquals(42L, kept.get(ValueLayout.JAVA_LONG, 56), "a live neighbour is untouched");
        }
    }

    @Test
    void fastModeIsUncheckedAndRecordsNothing() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), CheckedMode.OFF)) {
            assertFalse(allocator.isChecked());
            MemorySegment small = allocator.alloc(64);
            MemorySegment other = allocator.alloc(64);
            assertEquals(List.of(), allocator.liveSites());
            allocator.freeAddress(small.address());
            small.set(ValueLayout.JAVA_BYTE, 0, (byte) 1); // documented: the chunk is still held, no error
            assertEquals(0, allocator.quarantinedAllocations());
            assertEquals(small.address(), allocator.allocAddress(64), "fast mode reuses the slot at once");
            allocator.freeAddress(other.address());
        }
    }

    @Test
    void everyScopeIsClosedByCloseAndQuarantinedMemoryIsNeverTouched() {
        TestSource source = new TestSource(CHUNK, 64, 0);
        ChunkAllocator allocator = open(source, CheckedMode.ON);
        MemorySegment live = allocator.alloc(4096);
        MemorySegment liveRun = allocator.alloc(3L << 20);
        MemorySegment freed = allocator.alloc(4096);
        allocator.freeAddress(freed.address());
        long address = allocator.allocAddress(128);
        allocator.freeAddress(address);
        assertEquals(2, allocator.quarantinedAllocations());
        allocator.close();
        assertFalse(live.scope().isAlive());
        assertFalse(liveRun.scope().isAlive());
        assertThrows(IllegalStateException.class, () -> live.get(ValueLayout.JAVA_BYTE, 0));
        assertEquals(0, source.held.get(), "every chunk went back, quarantined ones included");
        assertTrue(source.closed);
        assertEquals(0, allocator.liveAllocations());
        assertThrows(WdClosedException.class, () -> allocator.alloc(64));
        assertThrows(WdClosedException.class, () -> allocator.freeAddress(live.address()));
        assertThrows(WdClosedException.class, () -> allocator.iovaMapAddress(live.address(), 1));
        allocator.close();
    }

    @Test
    void doubleAndBadFreesAreReportedAsInFastMode() {
        CheckedMode two = new CheckedMode(true, 1L << 30, 2);
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), two)) {
            long keep = allocator.allocAddress(256); // keeps the slot's chunk held (retainEmpty is 0)
            long slot = allocator.allocAddress(256);
            long run = allocator.allocAddress(3L << 20);
            assertReason(Reason.INTERIOR, "is interior to allocation", () -> allocator.freeAddress(slot + 8));
            assertReason(Reason.INTERIOR, "is interior to allocation", () -> allocator.freeAddress(run + 8));
            assertReason(Reason.FOREIGN, "is not memory of this checked allocator", () -> allocator.freeAddress(64));
            assertReason(Reason.FOREIGN, "runs past the end", () -> allocator.iovaMapAddress(slot, 257));
            assertEquals(3, allocator.liveAllocations(), "refusals change nothing");
            allocator.freeAddress(slot);
            allocator.freeAddress(run);
            // both in quarantine: still allocated below, refused here
            assertReason(Reason.ALREADY_FREED, "already freed", () -> allocator.freeAddress(slot));
            assertReason(Reason.ALREADY_FREED, "quarantine", () -> allocator.freeAddress(run + 8));
            assertReason(Reason.ALREADY_FREED, "already freed", () -> allocator.iovaMapAddress(slot, 1));
            assertReason(Reason.ALREADY_FREED, "already freed", () -> allocator.contiguousLength(run + 4096, 1));
            assertEquals(2, allocator.quarantinedAllocations());
            // pushed out of quarantine (really freed below): the fast allocator refuses it as before
            allocator.freeAddress(allocator.allocAddress(64));
            allocator.freeAddress(allocator.allocAddress(64));
            assertEquals(2, allocator.quarantinedAllocations());
            assertReason(Reason.ALREADY_FREED, "already freed", () -> allocator.freeAddress(slot));
            // the run's chunk went back to the source: remembered as freed, not foreign (issue 12)
            assertReason(Reason.ALREADY_FREED, "gave back lately", () -> allocator.freeAddress(run));
            assertEquals(1, allocator.liveAllocations());
            allocator.freeAddress(keep);
        }
    }

    @Test
    void quarantineKeepsFreedMemoryOutOfReuseWithinItsCountBound() {
        CheckedMode mode = new CheckedMode(true, 1L << 30, 8);
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), mode)) {
            List<Long> freed = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long address = allocator.allocAddress(64);
                Set<Long> recent = new HashSet<>(freed.subList(Math.max(0, freed.size() - 8), freed.size()));
                assertFalse(recent.contains(address), "round " + i + " reused a quarantined address");
                allocator.freeAddress(address);
                freed.add(address);
                assertEquals(Math.min(i + 1, 8), allocator.quarantinedAllocations());
                assertEquals(64L * Math.min(i + 1, 8), allocator.quarantinedBytes());
            }
        }
    }

    @Test
    void quarantineRespectsItsByteBoundAndPassesLargerAllocationsThrough() {
        TestSource source = new TestSource(CHUNK, 64, 0);
        CheckedMode mode = new CheckedMode(true, 10_000, 1000);
        try (ChunkAllocator allocator = open(source, mode)) {
            for (int i = 0; i < 5; i++) {
                allocator.freeAddress(allocator.allocAddress(4096));
                assertTrue(allocator.quarantinedBytes() <= 10_000, "bytes=" + allocator.quarantinedBytes());
            }
            assertEquals(2, allocator.quarantinedAllocations());
            int chunks = source.held.get();
            allocator.freeAddress(allocator.allocAddress(3L << 20));
            assertEquals(chunks, source.held.get(), "a run over the bound is really freed at once");
            assertEquals(2, allocator.quarantinedAllocations(), "and it pushed out nothing else");
        }
        CheckedMode none = new CheckedMode(true, 1L << 20, 0);
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), none)) {
            MemorySegment segment = allocator.alloc(64);
            allocator.freeAddress(segment.address());
            assertEquals(0, allocator.quarantinedAllocations());
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void aShortageReallyFreesTheQuarantineAndRetries() {
        TestSource source = new TestSource(CHUNK, 2, 0);
        try (ChunkAllocator allocator = open(source, CheckedMode.ON)) {
            allocator.freeAddress(allocator.allocAddress(CHUNK));
            allocator.freeAddress(allocator.allocAddress(CHUNK));
            assertEquals(2, source.held.get(), "both runs are held by the quarantine");
            long run = allocator.allocAddress(CHUNK);
            assertEquals(0, allocator.quarantinedAllocations());
            allocator.freeAddress(run);
            long other = allocator.allocAddress(CHUNK);
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> {
                allocator.allocAddress(CHUNK);
                allocator.allocAddress(CHUNK);
            });
            assertTrue(e.getMessage().contains("max_chunks=2"), e.getMessage());
            allocator.freeAddress(other);
        }
    }

    @Test
    void accountingIsExactAndSitesAreRecordedThenDroppedOnFree() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), CheckedMode.ON)) {
            MemorySegment first = allocateHere(allocator, 100);
            long second = allocator.allocAddress(3L << 20);
            assertEquals(2, allocator.liveAllocations());
            List<AllocationSite> sites = allocator.liveSites();
            assertEquals(2, sites.size());
            AllocationSite site = sites.stream()
                    .filter(s -> s.address() == first.address())
                    .findFirst()
                    .orElseThrow();
            assertEquals(100, site.size());
            assertEquals(Thread.currentThread().getName(), site.thread());
            assertEquals(
                    "allocateHere",
                    site.frames().getFirst().getMethodName(),
                    site.frames().toString());
            assertTrue(site.toString().contains("size=100"), site.toString());
            assertTrue(sites.stream().anyMatch(s -> s.address() == second && s.sequence() > site.sequence()));
            allocator.freeAddress(first.address());
            assertEquals(1, allocator.liveAllocations());
            assertEquals(
                    List.of(second),
                    allocator.liveSites().stream().map(AllocationSite::address).toList());
            allocator.freeAddress(second);
            assertEquals(0, allocator.liveAllocations());
            assertEquals(List.of(), allocator.liveSites());
            assertEquals(2, allocator.quarantinedAllocations());
            assertEquals(100 + (3L << 20), allocator.quarantinedBytes());
        }
    }

    private static MemorySegment allocateHere(ChunkAllocator allocator, long size) {
        return allocator.alloc(size);
    }

    @Test
    void optionsNameTheModeAndRefuseMisspeltBounds() {
        assertEquals(CheckedMode.OFF, CheckedMode.from(WdOptions.empty()));
        CheckedMode mode = CheckedMode.from(WdOptions.fromText(Map.of(
                "wd.mm.checked", "true",
                "wd.mm.checked.quarantine-bytes", "1m",
                "wd.mm.checked.quarantine-count", "16")));
        assertEquals(new CheckedMode(true, 1L << 20, 16), mode);
        IllegalArgumentException typo = assertThrows(
                IllegalArgumentException.class,
                () -> CheckedMode.from(WdOptions.fromText(Map.of("wd.mm.checked.quarantine-byte", "1m"))));
        assertTrue(typo.getMessage().contains("wd.mm.checked.quarantine-byte=1m is not an option"), typo.getMessage());
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> CheckedMode.from(WdOptions.fromText(Map.of("wd.mm.checked", "yes"))));
        assertTrue(bad.getMessage().contains("wd.mm.checked=yes must be true or false"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CheckedMode(true, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new CheckedMode(true, 1, -1));
    }

    static void assertReason(Reason reason, String fragment, Executable call) {
        WdOwnershipException e = assertThrows(WdOwnershipException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
