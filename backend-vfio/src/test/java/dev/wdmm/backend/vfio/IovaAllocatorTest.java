package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class IovaAllocatorTest {
    private static final long BASE = 1L << 32;

    @Test
    void rangesAreDisjointAndStartAtTheBase() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 16 * 4096);
        assertEquals(BASE, iovas.allocate(4096));
        assertEquals(BASE + 4096, iovas.allocate(8192));
        assertEquals(BASE + 3 * 4096, iovas.allocate(4096));
    }

    @Test
    void releasedRangesCoalesceAndAreReused() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 4 * 4096);
        long a = iovas.allocate(4096);
        long b = iovas.allocate(4096);
        long c = iovas.allocate(8192);
        iovas.release(a, 4096);
        iovas.release(b, 4096);
        assertEquals(a, iovas.allocate(8192));
        iovas.release(c, 8192);
        iovas.release(a, 8192);
        assertEquals(4 * 4096, iovas.freeBytes());
        assertEquals(BASE, iovas.allocate(4 * 4096));
    }

    @Test
    void exhaustionIsRefusedAndChangesNothing() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 2 * 4096);
        iovas.allocate(4096);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> iovas.allocate(8192));
        assertEquals(
                "size=8192 does not fit the free IOVA space [0x100000000, 0x100002000); unmap something first",
                e.getMessage());
        assertEquals(4096, iovas.freeBytes());
    }

    @Test
    void doubleReleaseAndUnalignedSizesAreRefused() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 4 * 4096);
        long a = iovas.allocate(4096);
        iovas.release(a, 4096);
        assertThrows(IllegalStateException.class, () -> iovas.release(a, 4096));
        assertThrows(IllegalArgumentException.class, () -> iovas.allocate(100));
        assertThrows(IllegalArgumentException.class, () -> iovas.allocate(0));
        assertEquals(4 * 4096, iovas.freeBytes());
    }
}
