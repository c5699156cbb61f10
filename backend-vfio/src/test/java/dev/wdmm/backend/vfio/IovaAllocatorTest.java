package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.nativeio.VfioIommuInfo.IovaRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class IovaAllocatorTest {
    private static final long BASE = 1L << 32;
    private static final long PAGE = 4096;
    private static final long MIB2 = 2L << 20;
    /** What an x86 IOMMU with a 39-bit width reports: everything but the MSI window. */
    private static final List<IovaRange> X86 =
            List.of(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0x7fffffffffL));

    @Test
    void rangesAreDisjointAndStartAtTheBase() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 16 * PAGE);
        assertEquals(BASE, iovas.allocate(PAGE, PAGE));
        assertEquals(BASE + PAGE, iovas.allocate(2 * PAGE, PAGE));
        assertEquals(BASE + 3 * PAGE, iovas.allocate(PAGE, PAGE));
    }

    @Test
    void alignmentSkipsTheMisalignedHead() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 8 * MIB2);
        assertEquals(BASE, iovas.allocate(PAGE, PAGE));
        assertEquals(BASE + MIB2, iovas.allocate(MIB2, MIB2));
        assertEquals(BASE + PAGE, iovas.allocate(PAGE, PAGE), "the head left free is used by a smaller alignment");
    }

    @Test
    void releasedRangesCoalesceAndAreReused() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 4 * PAGE);
        long a = iovas.allocate(PAGE, PAGE);
        long b = iovas.allocate(PAGE, PAGE);
        long c = iovas.allocate(2 * PAGE, PAGE);
        iovas.release(a, PAGE);
        iovas.release(b, PAGE);
        assertEquals(a, iovas.allocate(2 * PAGE, PAGE));
        iovas.release(c, 2 * PAGE);
        iovas.release(a, 2 * PAGE);
        assertEquals(4 * PAGE, iovas.freeBytes());
        assertEquals(BASE, iovas.allocate(4 * PAGE, PAGE));
    }

    @Test
    void exhaustionReturnsMinusOneAndChangesNothing() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 2 * PAGE);
        iovas.allocate(PAGE, PAGE);
        assertEquals(-1, iovas.allocate(2 * PAGE, PAGE));
        assertEquals(PAGE, iovas.freeBytes());
    }

    @Test
    void doubleReleaseAndBadSizesAreRefused() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 4 * PAGE);
        long a = iovas.allocate(PAGE, PAGE);
        iovas.release(a, PAGE);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> iovas.release(a, PAGE));
        assertEquals("iova=0x100000000 size=4096 is not allocated", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> iovas.allocate(100, PAGE));
        assertThrows(IllegalArgumentException.class, () -> iovas.allocate(0, PAGE));
        assertThrows(IllegalArgumentException.class, () -> iovas.allocate(PAGE, 3 * PAGE));
        assertEquals(4 * PAGE, iovas.freeBytes());
    }

    @Test
    void allocationsNeverCrossTheMsiWindow() {
        // base just below the MSI window: 1 MiB usable there, then the hole, then the rest
        IovaAllocator iovas = IovaAllocator.over(X86, 0xfed00000L, 0x100000000L);
        assertEquals("[0xfed00000, 0xfee00000) [0xfef00000, 0x100000000)", iovas.space());
        long big = iovas.allocate(2 * (1L << 20), PAGE);
        assertEquals(0xfef00000L, big, "2 MiB does not fit below the hole, and never spans it");
        assertEquals(0xfed00000L, iovas.allocate(1L << 20, PAGE));
        assertEquals(15L << 20, iovas.freeBytes(), "17 MiB above the hole, 2 taken; below it 1 MiB, taken");
    }

    @Test
    void aReleaseInsideTheHoleIsRefused() {
        IovaAllocator iovas = IovaAllocator.over(X86, 0xfed00000L, 0x100000000L);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> iovas.release(0xfee00000L, PAGE));
        assertEquals("iova=0xfee00000 size=4096 is not allocated", e.getMessage());
        assertThrows(IllegalStateException.class, () -> iovas.release(0xfed00000L, 2 * (1L << 20)));
        assertEquals(18L << 20, iovas.freeBytes(), "nothing changed: 1 MiB below the hole, 17 MiB above");
    }

    @Test
    void theLimitCutsTheKernelsRanges() {
        IovaAllocator iovas = IovaAllocator.over(X86, BASE, 1L << 39);
        assertEquals("[0x100000000, 0x8000000000)", iovas.space());
        IovaAllocator narrow = IovaAllocator.over(List.of(new IovaRange(0x1800, 0x9fff)), PAGE, 1L << 20);
        assertEquals("[0x2000, 0xa000)", narrow.space(), "pages wholly inside the range only");
    }

    @Test
    void optionsOutsideEveryRangeAreRefusedWithTheRanges() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> IovaAllocator.over(X86, 1L << 40, 1L << 41));
        assertEquals(
                "base=0x10000000000 limit=0x20000000000 leave no usable IOVA page inside the kernel's ranges"
                        + " [[0x0, 0xfedfffff], [0xfef00000, 0x7fffffffff]]; set wd.mm.vfio.iova.base and wd.mm.vfio.iova.limit"
                        + " inside one of them",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IovaAllocator.over(BASE + 1, BASE + PAGE));
        assertThrows(IllegalArgumentException.class, () -> IovaAllocator.over(BASE, BASE));
    }

    @Test
    void allocateAtTakesExactlyThatRangeOrNothing() {
        IovaAllocator iovas = IovaAllocator.over(BASE, BASE + 8 * MIB2);
        assertTrue(iovas.allocateAt(BASE + 2 * MIB2, MIB2));
        assertFalse(iovas.allocateAt(BASE + 2 * MIB2, MIB2), "taken");
        assertFalse(iovas.allocateAt(BASE + MIB2 + PAGE, MIB2), "overlaps the taken range");
        assertFalse(iovas.allocateAt(BASE + 7 * MIB2, 2 * MIB2), "runs past the limit");
        assertFalse(iovas.allocateAt(BASE - MIB2, MIB2), "below the base");
        assertTrue(iovas.allocateAt(BASE + 3 * MIB2, MIB2), "right after the taken range");
        assertEquals(6 * MIB2, iovas.freeBytes());
        iovas.release(BASE + 2 * MIB2, 2 * MIB2);
        assertEquals(8 * MIB2, iovas.freeBytes());
        assertEquals(BASE, iovas.allocate(8 * MIB2, MIB2), "every piece coalesced again");
    }

    @Test
    void mirrorMapsAdjacentAddressesToAdjacentIovasInTheLargestPiece() {
        IovaAllocator iovas = IovaAllocator.over(X86, BASE, 1L << 39);
        long va = 0x7f1234400000L;
        long iova = iovas.mirror(va, MIB2, MIB2);
        assertEquals(0, iova % MIB2);
        assertTrue(iova >= BASE && iova + MIB2 <= 1L << 39);
        assertEquals(iova + MIB2, iovas.mirror(va + MIB2, MIB2, MIB2));
        assertEquals(iova - MIB2, iovas.mirror(va - MIB2, MIB2, MIB2));
        assertTrue(iovas.allocateAt(iova, MIB2));
        IovaAllocator tiny = IovaAllocator.over(BASE, BASE + MIB2);
        assertEquals(-1, tiny.mirror(va, 2 * MIB2, MIB2), "larger than the space");
    }
}
