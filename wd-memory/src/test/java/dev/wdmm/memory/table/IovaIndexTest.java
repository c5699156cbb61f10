package dev.wdmm.memory.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IovaIndexTest {
    private static final long MB2 = 2L << 20;

    @Test
    void aPieceIsFoundFromEveryIovaInsideItAndNowhereElse() {
        IovaIndex index = new IovaIndex();
        Object owner = new Object();
        IovaIndex.Piece piece = new IovaIndex.Piece(MB2 * 3 + 4096, 0x7f00_0000_0000L, 3 * MB2, owner);
        assertTrue(index.add(piece));
        for (long offset : new long[] {0, 1, MB2 - 4097, MB2, 3 * MB2 - 1}) {
            assertSame(piece, index.find(piece.iova() + offset), "offset=" + offset);
        }
        assertNull(index.find(piece.iova() - 1));
        assertNull(index.find(piece.iova() + 3 * MB2));
        index.remove(owner, piece.iova(), piece.length());
        assertNull(index.find(piece.iova()));
    }

    @Test
    void scatteredPagesSharingAFrameAreToldApartAndRemovedByOwner() {
        IovaIndex index = new IovaIndex();
        Object a = new Object();
        Object b = new Object();
        List<long[]> pages = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        long[] frames = random.longs(0, 512).distinct().limit(300).toArray();
        for (int i = 0; i < frames.length; i++) {
            long iova = 5 * MB2 + frames[i] * 4096;
            long va = 0x10_0000_0000L + i * 4096L;
            index.add(new IovaIndex.Piece(iova, va, 4096, i % 2 == 0 ? a : b));
            pages.add(new long[] {iova, va});
        }
        for (long[] p : pages) {
            IovaIndex.Piece found = index.find(p[0] + 100);
            assertEquals(p[1] + 100, found.va() + (p[0] + 100 - found.iova()));
        }
        index.remove(a, 5 * MB2, MB2);
        for (int i = 0; i < pages.size(); i++) {
            IovaIndex.Piece found = index.find(pages.get(i)[0]);
            if (i % 2 == 0) {
                assertNull(found);
            } else {
                assertSame(b, found.owner());
            }
        }
    }

    @Test
    void iovasAtOrAbove2To48AreNotIndexedAndBadPiecesAreRefused() {
        IovaIndex index = new IovaIndex();
        assertFalse(index.add(new IovaIndex.Piece(1L << 48, 0, 4096, this)));
        assertFalse(index.add(new IovaIndex.Piece((1L << 48) - 4096, 0, 8192, this)));
        assertNull(index.find(1L << 48));
        assertNull(index.find(-1));
        assertThrows(IllegalArgumentException.class, () -> new IovaIndex.Piece(0, 0, 0, this));
        assertThrows(NullPointerException.class, () -> new IovaIndex.Piece(0, 0, 1, null));
        assertThrows(NullPointerException.class, () -> index.add(null));
    }
}
