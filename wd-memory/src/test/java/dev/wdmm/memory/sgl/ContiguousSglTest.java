package dev.wdmm.memory.sgl;

import static dev.wdmm.memory.sgl.LittleEndian.read;
import static dev.wdmm.memory.sgl.LittleEndian.zero;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.table.TranslationTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContiguousSglTest {
    private static final long PAGE = 4096;
    /** Device address of each of 16 pages, chosen by the test: runs 0-3, 4, 5-6, 7, 8-11, 12, 13-15. */
    private static final long[] PAGE_IOVA = {
        0xA000_0000L,
        0xA000_1000L,
        0xA000_2000L,
        0xA000_3000L,
        0xB000_0000L,
        0xC000_0000L,
        0xC000_1000L,
        0xA000_4000L,
        0xD000_0000L,
        0xD000_1000L,
        0xD000_2000L,
        0xD000_3000L,
        0xD000_5000L,
        0xE000_0000L,
        0xE000_1000L,
        0xE000_2000L,
    };

    private static final long IMAGES_IOVA = 0xF000_0000L;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(16 * PAGE, PAGE);
    private final TranslationTable table = TranslationTable.create(PAGE, 48);

    ContiguousSglTest() {
        for (int p = 0; p < 16; p++) {
            table.register(buffer.address() + p * PAGE, PAGE_IOVA[p], PAGE);
        }
    }

    @AfterEach
    void close() {
        arena.close();
    }

    /** The expected pieces, from the page table above by the test's own walk. */
    private List<SglPiece> expected(long from, long to) {
        List<SglPiece> pieces = new ArrayList<>();
        long at = from;
        while (at < to) {
            int page = (int) (at / PAGE);
            long end = (page + 1) * PAGE;
            while (end < to && PAGE_IOVA[(int) (end / PAGE)] == PAGE_IOVA[(int) (end / PAGE) - 1] + PAGE) {
                end += PAGE;
            }
            end = Math.min(end, to);
            pieces.add(new SglPiece(buffer.address() + at, PAGE_IOVA[page] + at % PAGE, end - at));
            at = end;
        }
        return pieces;
    }

    @Test
    void splitGivesOneEntryPerContiguousRun() {
        long from = 100;
        long to = 16 * PAGE - 50;
        List<SglPiece> pieces =
                ContiguousSgl.split(buffer.address() + from, to - from, table::contiguousLength, table::lookup);
        assertEquals(expected(from, to), pieces);
        assertEquals(7, pieces.size());
    }

    @Test
    void buildWritesAChainedImageByteByByte() {
        long from = 100;
        long to = 16 * PAGE - 50;
        MemorySegment images = arena.allocate(4 * HwSgl.imageBytes(3));
        ContiguousSgl.Chain chain = ContiguousSgl.build(
                images, IMAGES_IOVA, 3, buffer.address() + from, to - from, table::contiguousLength, table::lookup);
        List<SglPiece> pieces = expected(from, to);
        assertEquals(3, chain.sglCount());
        assertEquals(IMAGES_IOVA, chain.dma());
        long imageBytes = 64 + 32 * 3;
        long image = 0;
        int k = 0;
        for (int s = 0; s < 3; s++) {
            long next = read(images, image, 8);
            assertEquals(s < 2 ? IMAGES_IOVA + (s + 1) * imageBytes : 0, next);
            int used = Math.min(3, pieces.size() - 3 * s);
            assertEquals(pieces.size() - 3 * s, read(images, image + 8, 2));
            assertEquals(used, read(images, image + 10, 2));
            assertEquals(3, read(images, image + 12, 2));
            assertTrue(zero(images, image + 14, 50));
            for (int e = 0; e < 3; e++) {
                long entry = image + 64 + 32L * e;
                if (e >= used) {
                    assertTrue(zero(images, entry, 32));
                    continue;
                }
                SglPiece piece = pieces.get(k++);
                assertEquals(piece.iova(), read(images, entry, 8));
                assertEquals(0, read(images, entry + 8, 8));
                assertEquals(piece.length(), read(images, entry + 16, 4));
                assertTrue(zero(images, entry + 20, 12));
            }
            image += imageBytes;
        }
        assertEquals(pieces.size(), k);
    }

    @Test
    void anUnmappedPageFailsAtItsOffset() {
        table.unregister(buffer.address() + 8 * PAGE);
        MemorySegment images = arena.allocate(1024);
        WdMappingException e = assertThrows(
                WdMappingException.class,
                () -> ContiguousSgl.build(
                        images,
                        IMAGES_IOVA,
                        3,
                        buffer.address() + 100,
                        10 * PAGE,
                        table::contiguousLength,
                        table::lookup));
        assertEquals(8 * PAGE - 100, e.breakOffset());
        assertTrue(zero(images, 0, 1024), "nothing written");
    }

    @Test
    void piecesLongerThanTheEntryLimitAreCut() {
        List<SglPiece> pieces = ContiguousSgl.split(0x1000_0000L, 20L << 20, (va, limit) -> limit, va -> va + 7);
        assertEquals(
                List.of(
                        new SglPiece(0x1000_0000L, 0x1000_0007L, 8L << 20),
                        new SglPiece(0x1080_0000L, 0x1080_0007L, 8L << 20),
                        new SglPiece(0x1100_0000L, 0x1100_0007L, 4L << 20)),
                pieces);
    }

    @Test
    void badInputIsRefused() {
        MemorySegment images = arena.allocate(HwSgl.imageBytes(3));
        long va = buffer.address();
        assertMessage("length=0", () -> ContiguousSgl.split(va, 0, table::contiguousLength, table::lookup));
        assertMessage("wraps", () -> ContiguousSgl.split(-10, 100, table::contiguousLength, table::lookup));
        assertThrows(NullPointerException.class, () -> ContiguousSgl.split(va, 10, null, table::lookup));
        assertMessage(
                "capacity=0", () -> ContiguousSgl.build(images, 0, 0, va, 10, table::contiguousLength, table::lookup));
        assertMessage(
                "capacity=256",
                () -> ContiguousSgl.build(images, 0, 256, va, 10, table::contiguousLength, table::lookup));
        assertMessage(
                "images.byteSize()=160 must be >= sgls=3",
                () -> ContiguousSgl.build(images, 0, 3, va, 16 * PAGE, table::contiguousLength, table::lookup));
        assertMessage(
                "must be a native segment",
                () -> ContiguousSgl.build(
                        MemorySegment.ofArray(new byte[4096]), 0, 3, va, 10, table::contiguousLength, table::lookup));
        assertMessage(
                "more than the hardware's 256 per chain",
                () -> ContiguousSgl.build(images, 0, 1, 0x1000, 257, (a, limit) -> 1, a -> a));
        assertThrows(
                WdMappingException.class, () -> ContiguousSgl.split(0x10, 10, table::contiguousLength, table::lookup));
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
