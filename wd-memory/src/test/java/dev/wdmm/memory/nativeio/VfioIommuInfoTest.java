package dev.wdmm.memory.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.nativeio.VfioIommuInfo.IovaRange;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The capability chain of VFIO_IOMMU_GET_INFO, parsed from images laid out as linux/vfio.h says. */
class VfioIommuInfoTest {
    private static final long INFO = VfioLayouts.IOMMU_INFO.byteSize();
    private static final long RANGE_CAP = VfioLayouts.CAP_IOVA_RANGE.byteSize();
    private static final long RANGE = VfioLayouts.IOVA_RANGE.byteSize();

    private final Arena arena = Arena.ofAuto();

    /** info, then an IOVA range cap with {@code ranges}, then (8-aligned) a DMA-avail cap; chained in that order. */
    private MemorySegment image(long[][] ranges, long avail) {
        long rangeCap = INFO;
        long availCap = rangeCap + RANGE_CAP + ranges.length * RANGE;
        long size = availCap + 16;
        MemorySegment info = arena.allocate(size, 8);
        VfioLayouts.INFO_ARGSZ.set(info, 0L, (int) size);
        VfioLayouts.INFO_FLAGS.set(info, 0L, VfioIommuInfo.FLAG_PGSIZES | VfioIommuInfo.FLAG_CAPS);
        VfioLayouts.INFO_PGSIZES.set(info, 0L, 0x40201000L);
        VfioLayouts.INFO_CAP_OFFSET.set(info, 0L, (int) rangeCap);
        VfioLayouts.CAP_ID.set(info, rangeCap, (short) VfioIommuInfo.CAP_IOVA_RANGE);
        VfioLayouts.CAP_VERSION.set(info, rangeCap, (short) 1);
        VfioLayouts.CAP_NEXT.set(info, rangeCap, (int) availCap);
        VfioLayouts.CAP_NR_IOVAS.set(info, rangeCap, ranges.length);
        for (int i = 0; i < ranges.length; i++) {
            VfioLayouts.RANGE_START.set(info, rangeCap + RANGE_CAP + i * RANGE, ranges[i][0]);
            VfioLayouts.RANGE_END.set(info, rangeCap + RANGE_CAP + i * RANGE, ranges[i][1]);
        }
        VfioLayouts.CAP_ID.set(info, availCap, (short) VfioIommuInfo.CAP_DMA_AVAIL);
        VfioLayouts.CAP_VERSION.set(info, availCap, (short) 1);
        VfioLayouts.CAP_NEXT.set(info, availCap, 0);
        VfioLayouts.CAP_AVAIL.set(info, availCap, (int) avail);
        return info;
    }

    @Test
    void layoutsHaveTheSizesOfTheUapiStructs() {
        assertEquals(24, VfioLayouts.IOMMU_INFO.byteSize());
        assertEquals(8, VfioLayouts.CAP_HEADER.byteSize());
        assertEquals(16, VfioLayouts.CAP_IOVA_RANGE.byteSize());
        assertEquals(16, VfioLayouts.IOVA_RANGE.byteSize());
        assertEquals(32, VfioLayouts.DMA_MAP.byteSize());
        assertEquals(24, VfioLayouts.DMA_UNMAP.byteSize());
        assertEquals(8, VfioLayouts.GROUP_STATUS.byteSize());
        assertEquals(12, VfioLayouts.CAP_DMA_AVAIL.byteSize());
    }

    @Test
    void rangesAndDmaAvailAreReadFromTheChain() {
        VfioIommuInfo info =
                VfioIommuInfo.parse(image(new long[][] {{0, 0xfedfffffL}, {0xfef00000L, 0x7fffffffffL}}, 65535));
        assertEquals(List.of(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0x7fffffffffL)), info.ranges());
        assertEquals(65535, info.dmaAvailable());
        assertEquals(0x40201000L, info.pageSizes());
        assertEquals(
                "iova ranges=[0x0, 0xfedfffff] [0xfef00000, 0x7fffffffff] dma_avail=65535 pgsizes=0x40201000",
                info.describe());
    }

    @Test
    void usableMeansInsideOneRangeNotAcrossTheHole() {
        VfioIommuInfo info =
                VfioIommuInfo.parse(image(new long[][] {{0, 0xfedfffffL}, {0xfef00000L, 0x7fffffffffL}}, 10));
        assertTrue(info.usable(0xfed00000L, 0x100000));
        assertFalse(info.usable(0xfed00000L, 0x101000), "runs into the MSI window");
        assertFalse(info.usable(0xfee00000L, 4096), "inside the MSI window");
        assertTrue(info.usable(0xfef00000L, 4096));
        assertFalse(info.usable(0x7ffffff000L, 8192), "past the end of the address width");
        assertFalse(info.usable(0xfffffffffffff000L, 8192), "wraps");
    }

    /**
     * The chain Linux 6.1 returned in the rig's vIOMMU guest (argsz=116): the migration capability
     * at 24 (32 bytes), dma_avail at 56 (12 bytes), the IOVA ranges at 68, a 4-byte boundary.
     */
    @Test
    void theKernelsPackedChainWithRangesAtA4ByteBoundaryIsRead() {
        MemorySegment info = arena.allocate(116, 8);
        VfioLayouts.INFO_ARGSZ.set(info, 0L, 116);
        VfioLayouts.INFO_FLAGS.set(info, 0L, VfioIommuInfo.FLAG_PGSIZES | VfioIommuInfo.FLAG_CAPS);
        VfioLayouts.INFO_PGSIZES.set(info, 0L, 0x40201000L);
        VfioLayouts.INFO_CAP_OFFSET.set(info, 0L, 24);
        VfioLayouts.CAP_ID.set(info, 24L, (short) 2);
        VfioLayouts.CAP_NEXT.set(info, 24L, 56);
        VfioLayouts.CAP_ID.set(info, 56L, (short) VfioIommuInfo.CAP_DMA_AVAIL);
        VfioLayouts.CAP_NEXT.set(info, 56L, 68);
        VfioLayouts.CAP_AVAIL.set(info, 56L, 65534);
        VfioLayouts.CAP_ID.set(info, 68L, (short) VfioIommuInfo.CAP_IOVA_RANGE);
        VfioLayouts.CAP_NEXT.set(info, 68L, 0);
        VfioLayouts.CAP_NR_IOVAS.set(info, 68L, 2);
        VfioLayouts.RANGE_START.set(info, 84L, 0L);
        VfioLayouts.RANGE_END.set(info, 84L, 0xfedfffffL);
        VfioLayouts.RANGE_START.set(info, 100L, 0xfef00000L);
        VfioLayouts.RANGE_END.set(info, 100L, 0x7fffffffffL);
        VfioIommuInfo parsed = VfioIommuInfo.parse(info);
        assertEquals(
                List.of(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0x7fffffffffL)), parsed.ranges());
        assertEquals(65534, parsed.dmaAvailable());
    }

    @Test
    void infoWithoutCapsHasNoRangesAndUnknownAvail() {
        MemorySegment info = arena.allocate(INFO, 8);
        VfioLayouts.INFO_ARGSZ.set(info, 0L, (int) INFO);
        VfioLayouts.INFO_FLAGS.set(info, 0L, VfioIommuInfo.FLAG_PGSIZES);
        VfioLayouts.INFO_PGSIZES.set(info, 0L, 4096L);
        VfioLayouts.INFO_CAP_OFFSET.set(info, 0L, 999); // ignored without the CAPS flag
        VfioIommuInfo parsed = VfioIommuInfo.parse(info);
        assertEquals(List.of(), parsed.ranges());
        assertEquals(VfioIommuInfo.UNKNOWN, parsed.dmaAvailable());
        assertTrue(parsed.usable(0x7f0000000000L, 4096), "nothing reported, nothing refused");
    }

    @Test
    void unknownCapabilitiesAreSkipped() {
        MemorySegment info = image(new long[][] {{0x1000, 0xffff}}, 7);
        VfioLayouts.CAP_ID.set(info, INFO, (short) 2); // the migration cap: not ours
        VfioIommuInfo parsed = VfioIommuInfo.parse(info);
        assertEquals(List.of(), parsed.ranges());
        assertEquals(7, parsed.dmaAvailable());
    }

    @Test
    void corruptChainsAreRefusedWithTheValue() {
        MemorySegment looping = image(new long[][] {{0, 0xffff}}, 1);
        VfioLayouts.CAP_NEXT.set(looping, INFO, (int) INFO);
        assertMessage(
                "capability at offset=24 has next=24, which must be 0 or > its own offset (a looping chain)", looping);

        MemorySegment outside = image(new long[][] {{0, 0xffff}}, 1);
        VfioLayouts.CAP_NEXT.set(outside, INFO, 4096);
        assertMessage(
                "capability offset=4096 bytes=8 must be 4-aligned, after the info struct and inside argsz=72", outside);

        MemorySegment misaligned = image(new long[][] {{0, 0xffff}}, 1);
        VfioLayouts.INFO_CAP_OFFSET.set(misaligned, 0L, 26);
        assertThrows(IllegalArgumentException.class, () -> VfioIommuInfo.parse(misaligned));

        MemorySegment tooMany = image(new long[][] {{0, 0xffff}}, 1);
        VfioLayouts.CAP_NR_IOVAS.set(tooMany, INFO, 1000);
        assertMessage("nr_iovas=1000 at offset=24 does not fit inside argsz=72", tooMany);

        MemorySegment unordered = image(new long[][] {{0x10000, 0x1ffff}, {0x1000, 0x1fff}}, 1);
        assertMessage(
                "iova range [0x1000, 0x1fff] at index=1 must start after the previous one [0x10000, 0x1ffff]",
                unordered);

        MemorySegment backwards = image(new long[][] {{0x2000, 0x1fff}}, 1);
        assertMessage("iova range start=0x2000 end=0x1fff must have end >= start", backwards);

        MemorySegment longer = image(new long[][] {{0, 0xffff}}, 1);
        VfioLayouts.INFO_ARGSZ.set(longer, 0L, 4096);
        assertMessage(
                "info argsz=4096 must be <= the buffer's bytes=72 (ask again with a buffer of argsz bytes)", longer);

        assertMessage("info bytes=8 must be >= 24 (struct vfio_iommu_type1_info)", arena.allocate(8, 8));
    }

    private static void assertMessage(String expected, MemorySegment info) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VfioIommuInfo.parse(info));
        assertEquals(expected, e.getMessage());
    }
}
