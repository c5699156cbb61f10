package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("restricted")
@NeedsKernel(pfns = true, pinning = true)
class NoIommuBridgeTest {
    private static final long PAGE = Kernel.PAGE;
    private static final long CHUNK = PinnedChunks.CHUNK_SIZE;

    private final NoIommuBridge bridge = NoIommuBridge.open();

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void allocReturnsExactSizeOnPinnedPresentPagesOfOneChunk() {
        long pinnedBefore = Kernel.vmPinKiB();
        MemorySegment segment = bridge.alloc(5000);
        assertEquals(5000, segment.byteSize());
        assertEquals(0, segment.address() % 8192, "aligned to its size class");
        assertEquals(CHUNK, bridge.pinnedBytes(), "one pinned chunk");
        assertEquals(pinnedBefore + CHUNK / 1024, Kernel.vmPinKiB(), "the kernel counts the chunk pinned");
        assertTrue(Kernel.physical(segment.address()) > 0);
        assertTrue(Kernel.physical(segment.address() + PAGE) > 0, "second page populated without a touch");
        MemorySegment second = bridge.alloc(6000);
        assertEquals(CHUNK, bridge.pinnedBytes(), "the same size class pins nothing more");
        segment.set(ValueLayout.JAVA_BYTE, 4999, (byte) 3);
        bridge.free(segment);
        bridge.free(second);
        assertEquals(CHUNK, bridge.pinnedBytes(), "the emptied chunk is kept pinned for reuse");
        try (NoIommuBridge unretained = NoIommuBridge.open(0)) {
            unretained.free(unretained.alloc(5000));
            assertEquals(0, unretained.pinnedBytes(), "retain-empty 0: unpinned as soon as it is empty");
        }
    }

    @Test
    void anAllocationLargerThanAChunkIsPinnedAloneAndUnpinnedByFree() {
        long size = CHUNK + 3 * PAGE + 5;
        MemorySegment run = bridge.alloc(size);
        assertEquals(0, run.address() % CHUNK);
        assertEquals(CHUNK + 4 * PAGE, bridge.pinnedBytes(), "whole pages of its own chunk");
        checkAgainstKernel(run.asSlice(CHUNK - PAGE), 2 * PAGE);
        bridge.free(run);
        assertEquals(0, bridge.pinnedBytes());
    }

    @Test
    void everyPageAndInteriorAddressMapsToTheKernelsPhysicalAddress() {
        MemorySegment segment = bridge.alloc(16 * PAGE);
        for (long offset = 0; offset < segment.byteSize(); offset += PAGE / 4 + 1) {
            long va = segment.address() + offset;
            assertEquals(Kernel.physical(va), bridge.iovaMap(segment.asSlice(offset), 1), "offset=" + offset);
        }
    }

    @Test
    void thousandsOfRandomRangesAcrossManyAllocationsAgreeWithTheKernel() {
        SplittableRandom random = new SplittableRandom(42);
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            segments.add(bridge.alloc(1 + random.nextLong(64 * PAGE)));
        }
        int broken = 0;
        for (int i = 0; i < 5000; i++) {
            MemorySegment segment = segments.get(random.nextInt(segments.size()));
            long offset = random.nextLong(segment.byteSize());
            long size = 1 + random.nextLong(Math.min(segment.byteSize() - offset, 4 * PAGE));
            broken += checkAgainstKernel(segment.asSlice(offset), size) ? 0 : 1;
        }
        assertTrue(broken < 5000, "some ranges must be contiguous");
    }

    /** Checks map and contiguousLength of one range; returns whether it was contiguous. */
    private boolean checkAgainstKernel(MemorySegment start, long size) {
        long va = start.address();
        long kernelBreak = Kernel.breakOffset(va, size);
        long expectedRun = kernelBreak < 0 ? size : kernelBreak;
        assertEquals(expectedRun, bridge.contiguousLength(start, size), () -> "va=0x" + Long.toHexString(va));
        if (kernelBreak < 0) {
            long iova = bridge.iovaMap(start, size);
            assertEquals(Kernel.physical(va), iova);
            bridge.iovaUnmap(start, iova, size);
            return true;
        }
        WdMappingException e = assertThrows(WdMappingException.class, () -> bridge.iovaMap(start, size));
        assertEquals(kernelBreak, e.breakOffset());
        assertEquals(va, e.address());
        assertTrue(e.getMessage().contains("contiguity breaks at offset=" + kernelBreak), e.getMessage());
        assertEquals(Kernel.physical(va), bridge.iovaMap(start, kernelBreak), "the part before the break maps");
        return false;
    }

    @Test
    void multiPageRangeMapsWhenContiguousAndOtherwiseSaysWhereItBreaks() {
        MemorySegment segment = bridge.alloc(256 * PAGE);
        for (long offset = 0; offset < segment.byteSize(); offset += 31 * PAGE + 17) {
            checkAgainstKernel(segment.asSlice(offset), segment.byteSize() - offset);
        }
    }

    @Test
    void contiguousLengthNeverPassesTheAllocationOrTheLimit() {
        MemorySegment segment = bridge.alloc(PAGE + 10);
        long tail = PAGE + 5;
        assertEquals(5, bridge.contiguousLength(segment.asSlice(tail), 5));
        assertEquals(1, bridge.contiguousLength(segment.asSlice(tail), 1));
        MemorySegment widened = segment.asSlice(tail).reinterpret(2 * PAGE);
        assertEquals(5, bridge.contiguousLength(widened, 2 * PAGE), "clamped to the allocation");
    }

    @Test
    void segmentAccessAfterItsChunkIsReleasedThrowsInsteadOfTouchingUnmappedMemory() {
        try (NoIommuBridge unretained = NoIommuBridge.open(0)) {
            MemorySegment segment = unretained.alloc(3 * PAGE);
            MemorySegment interior = segment.asSlice(PAGE + 5, 100);
            unretained.free(segment); // the last allocation of its chunk: unpinned and unmapped
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> interior.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
        }
        MemorySegment run = bridge.alloc(3 * CHUNK);
        bridge.free(run);
        assertThrows(IllegalStateException.class, () -> run.get(ValueLayout.JAVA_BYTE, CHUNK));
    }

    @Test
    void closeFreesEverythingAndRefusesEveryCall() {
        long pinnedBefore = Kernel.vmPinKiB();
        MemorySegment a = bridge.alloc(3 * PAGE);
        MemorySegment b = bridge.alloc(100);
        long iova = bridge.iovaMap(b, 100);
        assertEquals(2 * CHUNK, bridge.pinnedBytes(), "two size classes, two chunks");
        assertEquals(pinnedBefore + 2 * CHUNK / 1024, Kernel.vmPinKiB(), "the kernel counts two pinned chunks");
        bridge.close();
        bridge.close();
        assertEquals(pinnedBefore, Kernel.vmPinKiB(), "close unpinned and unmapped everything");
        assertEquals(0, bridge.pinnedBytes());
        BadInputTest.assertClosed(() -> bridge.alloc(1));
        BadInputTest.assertClosed(() -> bridge.free(a));
        BadInputTest.assertClosed(() -> bridge.iovaMap(b, 100));
        BadInputTest.assertClosed(() -> bridge.iovaUnmap(b, iova, 100));
        BadInputTest.assertClosed(() -> bridge.contiguousLength(b, 100));
    }
}
