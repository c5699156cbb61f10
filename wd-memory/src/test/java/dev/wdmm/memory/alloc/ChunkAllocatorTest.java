package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.memory.testing.Jvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class ChunkAllocatorTest {
    private static final long CHUNK = 2L << 20;

    private static ChunkAllocator open(TestSource source, int retainEmpty) {
        return ChunkAllocator.open(source, new AllocatorSettings("test allocator", retainEmpty, 2));
    }

    @Test
    void slotsAreAlignedToTheirClassAndRunsToTheChunk() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), 1)) {
            for (long size : new long[] {1, 64, 65, 4096, 5000, 1 << 20}) {
                long address = allocator.allocAddress(size);
                long slot = Math.max(64, Long.highestOneBit(size - 1) << 1);
                assertEquals(0, address % Math.min(slot, 1 << 20), "size=" + size);
                assertEquals(address + TestSource.IOVA_OFFSET, allocator.iovaMapAddress(address, size));
            }
            long run = allocator.allocAddress(3L << 20);
            assertEquals(0, run % CHUNK);
            assertEquals(1 << 20, allocator.largestClass());
            assertEquals(7, allocator.liveAllocations());
        }
    }

    @Test
    void ownershipErrorsNameTheirReason() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), 1)) {
            long slot = allocator.allocAddress(256);
            long run = allocator.allocAddress(3L << 20);
            assertReason(Reason.INTERIOR, "is interior to allocation", () -> allocator.freeAddress(slot + 8));
            assertReason(Reason.INTERIOR, "is interior to allocation", () -> allocator.freeAddress(run + 8));
            assertReason(Reason.FOREIGN, "runs past the end", () -> allocator.iovaMapAddress(slot, 257));
            assertReason(Reason.FOREIGN, "runs past the end", () -> allocator.iovaMapAddress(run, (3L << 20) + 1));
            assertReason(Reason.FOREIGN, "is not memory of this test allocator", () -> allocator.freeAddress(64));
            assertReason(Reason.FOREIGN, "is not memory", () -> allocator.iovaMapAddress(run + (3L << 20), 1));
            allocator.freeAddress(slot);
            allocator.freeAddress(run);
            assertReason(Reason.ALREADY_FREED, "already freed", () -> allocator.freeAddress(slot));
            assertReason(Reason.ALREADY_FREED, "already freed", () -> allocator.iovaMapAddress(slot, 1));
            assertEquals(0, allocator.liveAllocations());
        }
    }

    @Test
    void nonContiguousChunksAreTranslatedByTheSourceWithTheBreakOffset() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 4096), 1)) {
            long address = allocator.allocAddress(8192);
            assertEquals(address + TestSource.IOVA_OFFSET, allocator.iovaMapAddress(address, 4096));
            WdMappingException e =
                    assertThrows(WdMappingException.class, () -> allocator.iovaMapAddress(address, 8192));
            assertEquals(4096, e.breakOffset());
            assertEquals(4096, allocator.contiguousLength(address, 8192));
            assertEquals(100, allocator.contiguousLength(address + 4096, 100));
        }
    }

    @Test
    void emptyChunksBeyondTheRetainedOnesGoBackAndAShortageTrimsThem() {
        TestSource source = new TestSource(CHUNK, 2, 0);
        try (ChunkAllocator allocator = open(source, 1)) {
            allocator.freeAddress(allocator.allocAddress(64));
            allocator.freeAddress(allocator.allocAddress(128));
            assertEquals(2, source.held.get(), "one empty chunk kept per bin");
            long run = allocator.allocAddress(CHUNK);
            assertEquals(1, source.held.get(), "the shortage gave back both empty chunks");
            long slot = allocator.allocAddress(256);
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> allocator.allocAddress(512));
            assertTrue(e.getMessage().contains("max_chunks=2"), e.getMessage());
            allocator.freeAddress(run);
            assertEquals(1, source.held.get(), "a freed run goes back at once");
            allocator.freeAddress(slot);
            assertEquals(1, source.held.get(), "the emptied chunk is retained");
        }
        assertTrue(source.closed);
    }

    @Test
    void segmentsAreSlicesOfTheChunkAndThrowOnceItIsReleased() {
        TestSource source = new TestSource(CHUNK, 64, 0);
        ChunkAllocator allocator = open(source, 0);
        MemorySegment small = allocator.alloc(100);
        MemorySegment other = allocator.alloc(100);
        MemorySegment run = allocator.alloc(3L << 20);
        small.set(ValueLayout.JAVA_BYTE, 99, (byte) 1);
        allocator.freeAddress(run.address());
        assertThrows(IllegalStateException.class, () -> run.get(ValueLayout.JAVA_BYTE, 0));
        allocator.freeAddress(small.address());
        small.set(ValueLayout.JAVA_BYTE, 0, (byte) 2); // its chunk is still held: no crash, no exception
        allocator.close();
        assertThrows(IllegalStateException.class, () -> other.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(WdClosedException.class, () -> allocator.allocAddress(64));
        assertThrows(WdClosedException.class, () -> allocator.freeAddress(other.address()));
        assertEquals(0, source.held.get());
    }

    @Test
    void addressApiAllocatesNothing() {
        try (ChunkAllocator allocator = open(new TestSource(CHUNK, 64, 0), 1)) {
            long sink = churn(allocator, 200_000);
            long before = Jvm.allocatedBytes();
            sink += churn(allocator, 200_000);
            long used = Jvm.allocatedBytes() - before;
            assertTrue(used < 4096, "allocated " + used + " bytes over 200,000 alloc/map/free");
            assertTrue(sink != 0);
        }
    }

    private static long churn(ChunkAllocator allocator, int rounds) {
        long sink = 0;
        for (int i = 0; i < rounds; i++) {
            long size = 64L << (i & 7);
            long address = allocator.allocAddress(size);
            sink += allocator.iovaMapAddress(address, size) + allocator.contiguousLength(address, size);
            allocator.freeAddress(address);
        }
        return sink;
    }

    private static void assertReason(Reason reason, String fragment, org.junit.jupiter.api.function.Executable call) {
        WdOwnershipException e = assertThrows(WdOwnershipException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
