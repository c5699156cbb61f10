package dev.wdmm.memory.sgl;

import static dev.wdmm.memory.sgl.LittleEndian.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.testing.Jvm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The address-based SGL writer over a synthetic device address space: memory is contiguous in
 * 4 KiB pages only, page {@code p} of the test's arena at device address {@code BASE + 0x10000 * p}
 * (so every page boundary breaks contiguity), checked entry by entry in the image bytes.
 */
class SglWriterTest {
    private static final long PAGE = 4096;
    private static final long BASE = 0x9_0000_0000L;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(64 * PAGE, PAGE);
    private final LongBinaryOperator contiguous = (va, limit) -> {
        long offset = va - memory.address();
        if (offset < 0 || offset >= memory.byteSize()) {
            return 0;
        }
        return Math.min(limit, PAGE - (offset % PAGE));
    };
    private final LongUnaryOperator iova = va -> {
        long offset = va - memory.address();
        return BASE + 0x10000 * (offset / PAGE) + offset % PAGE;
    };

    @Test
    void buffersAreSplitAtContiguityBreaksAndChainedAcrossSgls() {
        long[] vas = {memory.address() + 100, memory.address() + 10 * PAGE, memory.address() + 20 * PAGE + 4000};
        long[] lengths = {PAGE, 3 * PAGE, 200};
        // buffer 0: 2 pieces; buffer 1: 3 pages; buffer 2 crosses one boundary: 2 pieces
        assertEquals(7, SglWriter.entriesNeeded(vas, lengths, 3, contiguous));
        MemorySegment images = arena.allocate(3 * HwSgl.imageBytes(3), 64);
        long imagesIova = 0x5_0000_0000L;
        int written = SglWriter.write(images, imagesIova, 3, vas, lengths, 3, contiguous, iova);
        assertEquals(7, written);
        long image = HwSgl.imageBytes(3);
        // SGL 0 links to SGL 1, SGL 1 to SGL 2, SGL 2 ends the chain; counts as the hardware reads them
        assertEquals(imagesIova + image, read(images, 0, 8));
        assertEquals(7, read(images, HwSgl.CHAIN_ENTRIES_OFFSET, 2));
        assertEquals(3, read(images, HwSgl.ENTRIES_OFFSET, 2));
        assertEquals(imagesIova + 2 * image, read(images, image, 8));
        assertEquals(0, read(images, 2 * image, 8));
        assertEquals(1, read(images, 2 * image + HwSgl.ENTRIES_OFFSET, 2));
        long[][] expected = {
            {vas[0], PAGE - 100},
            {vas[0] + PAGE - 100, 100},
            {vas[1], PAGE},
            {vas[1] + PAGE, PAGE},
            {vas[1] + 2 * PAGE, PAGE},
            {vas[2], 96},
            {vas[2] + 96, 104}
        };
        for (int k = 0; k < 7; k++) {
            long at = (k / 3) * image + HwSgl.HEADER_BYTES + (long) HwSgl.ENTRY_BYTES * (k % 3);
            assertEquals(iova.applyAsLong(expected[k][0]), read(images, at + HwSgl.ENTRY_DMA_OFFSET, 8), "entry " + k);
            assertEquals(expected[k][1], SglWriter.entryLength(images, 3, k), "entry " + k);
        }
        // the unused entries of the last SGL are zero
        assertEquals(0, read(images, 2 * image + HwSgl.HEADER_BYTES + HwSgl.ENTRY_BYTES, 8));
    }

    @Test
    void theLengthADeviceWritesBackIsRead() {
        long[] vas = {memory.address()};
        long[] lengths = {2 * PAGE};
        MemorySegment images = arena.allocate(HwSgl.imageBytes(4), 64);
        SglWriter.write(images, 0x40, 4, vas, lengths, 1, contiguous, iova);
        // a device that wrote 1000 bytes into entry 1 updates its length field
        images.set(
                ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                HwSgl.HEADER_BYTES + HwSgl.ENTRY_BYTES + HwSgl.ENTRY_LENGTH_OFFSET,
                1000);
        assertEquals(PAGE, SglWriter.entryLength(images, 4, 0));
        assertEquals(1000, SglWriter.entryLength(images, 4, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> SglWriter.entryLength(images, 4, -1));
    }

    @Test
    void writingAllocatesNothingAfterWarmUp() {
        long[] vas = {memory.address() + 7, memory.address() + 30 * PAGE};
        long[] lengths = {5 * PAGE, 3 * PAGE + 9};
        MemorySegment images = arena.allocate(4 * HwSgl.imageBytes(4), 64);
        for (int i = 0; i < 20_000; i++) {
            SglWriter.write(images, 0x1000, 4, vas, lengths, 2, contiguous, iova);
        }
        long before = Jvm.allocatedBytes();
        int written = 0;
        for (int i = 0; i < 10_000; i++) {
            written += SglWriter.write(images, 0x1000, 4, vas, lengths, 2, contiguous, iova);
        }
        long allocated = Jvm.allocatedBytes() - before;
        assertEquals(10_000 * 10, written, "6 pieces (7 bytes into a page, 5 pages) + 4 (3 pages and 9 bytes)");
        assertTrue(allocated < 10_000, "allocated=" + allocated + " bytes in 10,000 writes");
    }

    @Test
    void refusalsNameTheRuleAndWriteNothing() {
        MemorySegment images = arena.allocate(HwSgl.imageBytes(2), 64).fill((byte) 0x5A);
        long[] vas = {memory.address()};
        long[] lengths = {3 * PAGE};
        IllegalArgumentException small = assertThrows(
                IllegalArgumentException.class,
                () -> SglWriter.write(images, 0x40, 2, vas, lengths, 1, contiguous, iova));
        assertTrue(
                small.getMessage().contains("images.byteSize()=" + images.byteSize() + " must be >= sgls=2"),
                small.getMessage());
        assertEquals(0x5A, images.get(ValueLayout.JAVA_BYTE, 0), "nothing written");
        WdMappingException unmapped = assertThrows(
                WdMappingException.class,
                () -> SglWriter.write(
                        images,
                        0x40,
                        2,
                        new long[] {memory.address() + 63 * PAGE},
                        new long[] {2 * PAGE},
                        1,
                        contiguous,
                        iova));
        assertEquals(PAGE, unmapped.breakOffset());
        assertEquals(0x5A, images.get(ValueLayout.JAVA_BYTE, 0), "nothing written");
        assertMessage("lengths[0]=0 must be > 0", () -> SglWriter.entriesNeeded(vas, new long[] {0}, 1, contiguous));
        assertMessage(
                "count=2 must be in [1, min(vas.length=1", () -> SglWriter.entriesNeeded(vas, lengths, 2, contiguous));
        assertMessage("count=0", () -> SglWriter.entriesNeeded(vas, lengths, 0, contiguous));
        assertMessage(
                "must be 64-byte aligned", () -> SglWriter.write(images, 0x41, 2, vas, lengths, 1, contiguous, iova));
        assertMessage("capacity=0", () -> SglWriter.write(images, 0x40, 0, vas, lengths, 1, contiguous, iova));
        assertMessage(
                "wraps the address space",
                () -> SglWriter.entriesNeeded(new long[] {-10}, new long[] {20}, 1, contiguous));
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
