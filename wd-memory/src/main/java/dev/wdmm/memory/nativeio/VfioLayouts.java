package dev.wdmm.memory.nativeio;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The structs of {@code linux/vfio.h} that wd-mm passes to the kernel, declared once as layouts
 * with a {@link VarHandle} per field (every handle takes the segment and the struct's offset in it). Native
 * byte order, 64-bit Linux. Stateless and thread-safe.
 */
final class VfioLayouts {
    /** {@code struct vfio_group_status { u32 argsz; u32 flags; }}. */
    static final StructLayout GROUP_STATUS =
            MemoryLayout.structLayout(JAVA_INT.withName("argsz"), JAVA_INT.withName("flags"));

    /** {@code struct vfio_iommu_type1_dma_map { u32 argsz; u32 flags; u64 vaddr; u64 iova; u64 size; }}. */
    static final StructLayout DMA_MAP = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("vaddr"),
            JAVA_LONG.withName("iova"),
            JAVA_LONG.withName("size"));

    /** {@code struct vfio_iommu_type1_dma_unmap { u32 argsz; u32 flags; u64 iova; u64 size; }} (no bitmap). */
    static final StructLayout DMA_UNMAP = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("iova"),
            JAVA_LONG.withName("size"));

    /** {@code struct vfio_iommu_type1_info { u32 argsz; u32 flags; u64 iova_pgsizes; u32 cap_offset; u32 pad; }}. */
    static final StructLayout IOMMU_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("argsz"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("iova_pgsizes"),
            JAVA_INT.withName("cap_offset"),
            JAVA_INT.withName("pad"));

    /** {@code struct vfio_info_cap_header { u16 id; u16 version; u32 next; }}; {@code next} counts from the info's start. */
    static final StructLayout CAP_HEADER = MemoryLayout.structLayout(
            JAVA_SHORT.withName("id"), JAVA_SHORT.withName("version"), JAVA_INT.withName("next"));

    /**
     * {@code struct vfio_iova_range { u64 start; u64 end; }}, {@code end} inclusive. Read unaligned:
     * the kernel packs capabilities one after the other, so a chain whose earlier capability is 12
     * bytes long ({@code dma_avail}) puts the ranges at a 4-byte boundary (Linux 6.1: the IOVA range
     * capability at offset 68).
     */
    static final StructLayout IOVA_RANGE =
            MemoryLayout.structLayout(JAVA_LONG_UNALIGNED.withName("start"), JAVA_LONG_UNALIGNED.withName("end"));

    /** {@code struct vfio_iommu_type1_info_cap_iova_range { header; u32 nr_iovas; u32 reserved; ranges[]; }}. */
    static final StructLayout CAP_IOVA_RANGE = MemoryLayout.structLayout(
            CAP_HEADER.withName("header"), JAVA_INT.withName("nr_iovas"), JAVA_INT.withName("reserved"));

    /** {@code struct vfio_iommu_type1_info_dma_avail { header; u32 avail; }}. */
    static final StructLayout CAP_DMA_AVAIL =
            MemoryLayout.structLayout(CAP_HEADER.withName("header"), JAVA_INT.withName("avail"));

    static final VarHandle GROUP_STATUS_ARGSZ = field(GROUP_STATUS, "argsz");
    static final VarHandle GROUP_STATUS_FLAGS = field(GROUP_STATUS, "flags");
    static final VarHandle DMA_MAP_ARGSZ = field(DMA_MAP, "argsz");
    static final VarHandle DMA_MAP_FLAGS = field(DMA_MAP, "flags");
    static final VarHandle DMA_MAP_VADDR = field(DMA_MAP, "vaddr");
    static final VarHandle DMA_MAP_IOVA = field(DMA_MAP, "iova");
    static final VarHandle DMA_MAP_SIZE = field(DMA_MAP, "size");
    static final VarHandle DMA_UNMAP_ARGSZ = field(DMA_UNMAP, "argsz");
    static final VarHandle DMA_UNMAP_IOVA = field(DMA_UNMAP, "iova");
    static final VarHandle DMA_UNMAP_SIZE = field(DMA_UNMAP, "size");
    static final VarHandle INFO_ARGSZ = field(IOMMU_INFO, "argsz");
    static final VarHandle INFO_FLAGS = field(IOMMU_INFO, "flags");
    static final VarHandle INFO_PGSIZES = field(IOMMU_INFO, "iova_pgsizes");
    static final VarHandle INFO_CAP_OFFSET = field(IOMMU_INFO, "cap_offset");
    static final VarHandle CAP_ID = field(CAP_HEADER, "id");
    static final VarHandle CAP_VERSION = field(CAP_HEADER, "version");
    static final VarHandle CAP_NEXT = field(CAP_HEADER, "next");
    static final VarHandle CAP_NR_IOVAS = field(CAP_IOVA_RANGE, "nr_iovas");
    static final VarHandle CAP_AVAIL = field(CAP_DMA_AVAIL, "avail");
    static final VarHandle RANGE_START = field(IOVA_RANGE, "start");
    static final VarHandle RANGE_END = field(IOVA_RANGE, "end");

    private VfioLayouts() {}

    /** A handle on {@code name} of {@code struct}: coordinates (segment, offset of the struct in it). */
    private static VarHandle field(StructLayout struct, String name) {
        return struct.varHandle(groupElement(name));
    }
}
