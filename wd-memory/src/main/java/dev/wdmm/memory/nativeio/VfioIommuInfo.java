package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code VFIO_IOMMU_GET_INFO} says about a type1 container: the IOMMU page sizes, the IOVA
 * ranges a {@code VFIO_IOMMU_MAP_DMA} may use (the kernel refuses a mapping outside them: the MSI
 * window and other reserved regions of the attached devices are holes), and how many more DMA
 * mappings the container may hold ({@code dma_avail}, bounded by the module parameter
 * {@code vfio_iommu_type1.dma_entry_limit}, 65,535 by default). Immutable and thread-safe.
 *
 * @param pageSizes the bitmap of IOMMU page sizes ({@code iova_pgsizes}), 0 when not reported
 * @param ranges the usable IOVA ranges in ascending order; empty when the kernel does not report
 *     them (before Linux 5.4)
 * @param dmaAvailable mappings the container may still create, or {@link #UNKNOWN} (before Linux 5.10)
 */
public record VfioIommuInfo(long pageSizes, List<IovaRange> ranges, long dmaAvailable) {
    /** {@link #dmaAvailable()} when the kernel does not report it. */
    public static final long UNKNOWN = -1;

    /** {@code VFIO_IOMMU_INFO_PGSIZES}: {@code iova_pgsizes} is valid. */
    static final int FLAG_PGSIZES = 1;
    /** {@code VFIO_IOMMU_INFO_CAPS}: {@code cap_offset} starts a capability chain. */
    static final int FLAG_CAPS = 2;
    /** {@code VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE}. */
    static final int CAP_IOVA_RANGE = 1;
    /** {@code VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL}. */
    static final int CAP_DMA_AVAIL = 3;
    /** More capabilities than this in one chain is a corrupt (or looping) chain. */
    private static final int MAX_CAPS = 64;

    /**
     * One usable IOVA range, both ends inclusive (as {@code struct vfio_iova_range}).
     *
     * @param start the first usable IOVA
     * @param end the last usable IOVA, {@code >= start} (unsigned)
     */
    public record IovaRange(long start, long end) {
        /**
         * Checks the order.
         *
         * @throws IllegalArgumentException if {@code end < start} (unsigned)
         */
        public IovaRange {
            if (Long.compareUnsigned(end, start) < 0) {
                throw new IllegalArgumentException(
                        "iova range start=" + hex(start) + " end=" + hex(end) + " must have end >= start");
            }
        }

        /**
         * Whether {@code [iova, iova + size)} lies inside this range.
         *
         * @param iova the first IOVA
         * @param size bytes, {@code > 0}
         * @return true if every byte is inside
         */
        public boolean contains(long iova, long size) {
            long last = iova + size - 1;
            return size > 0
                    && Long.compareUnsigned(last, iova) >= 0
                    && Long.compareUnsigned(iova, start) >= 0
                    && Long.compareUnsigned(last, end) <= 0;
        }

        @Override
        public String toString() {
            return "[" + hex(start) + ", " + hex(end) + "]";
        }
    }

    /**
     * Copies the ranges.
     *
     * @throws NullPointerException if {@code ranges} is null
     */
    public VfioIommuInfo {
        ranges = List.copyOf(Objects.requireNonNull(ranges, "ranges is null"));
    }

    /**
     * Whether {@code [iova, iova + size)} lies inside one usable range; true for any range when
     * the kernel reported none (it then refuses nothing for this reason).
     *
     * @param iova the first IOVA
     * @param size bytes, {@code > 0}
     * @return true if usable
     */
    public boolean usable(long iova, long size) {
        return ranges.isEmpty() ? size > 0 : ranges.stream().anyMatch(r -> r.contains(iova, size));
    }

    /**
     * One line for reports: {@code iova ranges=[0x0, 0xfedfffff] [0xfef00000, 0x7fffffffff]
     * dma_avail=65535 pgsizes=0x40201000}.
     *
     * @return the line
     */
    public String describe() {
        return "iova ranges="
                + (ranges.isEmpty()
                        ? "(not reported)"
                        : String.join(
                                " ", ranges.stream().map(IovaRange::toString).toList()))
                + " dma_avail=" + (dmaAvailable == UNKNOWN ? "(not reported)" : Long.toString(dmaAvailable))
                + " pgsizes=" + hex(pageSizes);
    }

    /**
     * Reads a {@code struct vfio_iommu_type1_info} and its capability chain as the kernel filled
     * them in: the IOVA range capability and the DMA-available capability are read, others skipped.
     *
     * @param info the buffer given to {@code VFIO_IOMMU_GET_INFO}, from its first byte
     * @return the info
     * @throws IllegalArgumentException if the buffer is shorter than the struct or than its
     *     {@code argsz}, or the chain is corrupt (an offset outside the buffer, not 4-aligned, not
     *     increasing, a range count that does not fit, more than 64 capabilities), naming the value
     */
    public static VfioIommuInfo parse(MemorySegment info) {
        long size = info.byteSize();
        if (size < VfioLayouts.IOMMU_INFO.byteSize()) {
            throw new IllegalArgumentException("info bytes=" + size + " must be >= " + VfioLayouts.IOMMU_INFO.byteSize()
                    + " (struct vfio_iommu_type1_info)");
        }
        long argsz = Integer.toUnsignedLong((int) VfioLayouts.INFO_ARGSZ.get(info, 0L));
        if (argsz > size) {
            throw new IllegalArgumentException("info argsz=" + argsz + " must be <= the buffer's bytes=" + size
                    + " (ask again with a buffer of argsz bytes)");
        }
        int flags = (int) VfioLayouts.INFO_FLAGS.get(info, 0L);
        long pageSizes = (flags & FLAG_PGSIZES) != 0 ? (long) VfioLayouts.INFO_PGSIZES.get(info, 0L) : 0;
        List<IovaRange> ranges = new ArrayList<>();
        long dmaAvailable = UNKNOWN;
        long offset =
                (flags & FLAG_CAPS) != 0 ? Integer.toUnsignedLong((int) VfioLayouts.INFO_CAP_OFFSET.get(info, 0L)) : 0;
        MemorySegment chain = info.asSlice(0, argsz);
        for (int caps = 0; offset != 0; caps++) {
            checkCap(chain, offset, VfioLayouts.CAP_HEADER.byteSize(), caps);
            int id = Short.toUnsignedInt((short) VfioLayouts.CAP_ID.get(chain, offset));
            if (id == CAP_IOVA_RANGE) {
                checkCap(chain, offset, VfioLayouts.CAP_IOVA_RANGE.byteSize(), caps);
                ranges.addAll(ranges(chain, offset));
            } else if (id == CAP_DMA_AVAIL) {
                checkCap(chain, offset, VfioLayouts.CAP_DMA_AVAIL.byteSize(), caps);
                dmaAvailable = Integer.toUnsignedLong((int) VfioLayouts.CAP_AVAIL.get(chain, offset));
            }
            long next = Integer.toUnsignedLong((int) VfioLayouts.CAP_NEXT.get(chain, offset));
            if (next != 0 && next <= offset) {
                throw new IllegalArgumentException("capability at offset=" + offset + " has next=" + next
                        + ", which must be 0 or > its own offset (a looping chain)");
            }
            offset = next;
        }
        return new VfioIommuInfo(pageSizes, ranges, dmaAvailable);
    }

    private static void checkCap(MemorySegment chain, long offset, long bytes, int caps) {
        if (caps >= MAX_CAPS) {
            throw new IllegalArgumentException("capability chain has more than " + MAX_CAPS + " entries");
        }
        if (offset % 4 != 0 || offset < VfioLayouts.IOMMU_INFO.byteSize() || offset + bytes > chain.byteSize()) {
            throw new IllegalArgumentException("capability offset=" + offset + " bytes=" + bytes
                    + " must be 4-aligned, after the info struct and inside argsz=" + chain.byteSize());
        }
    }

    private static List<IovaRange> ranges(MemorySegment chain, long offset) {
        long count = Integer.toUnsignedLong((int) VfioLayouts.CAP_NR_IOVAS.get(chain, offset));
        long first = offset + VfioLayouts.CAP_IOVA_RANGE.byteSize();
        long entry = VfioLayouts.IOVA_RANGE.byteSize();
        if (count > (chain.byteSize() - first) / entry) {
            throw new IllegalArgumentException(
                    "nr_iovas=" + count + " at offset=" + offset + " does not fit inside argsz=" + chain.byteSize());
        }
        List<IovaRange> ranges = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long at = first + i * entry;
            IovaRange range = new IovaRange(
                    (long) VfioLayouts.RANGE_START.get(chain, at), (long) VfioLayouts.RANGE_END.get(chain, at));
            if (!ranges.isEmpty()
                    && Long.compareUnsigned(range.start(), ranges.getLast().end()) <= 0) {
                throw new IllegalArgumentException("iova range " + range + " at index=" + i
                        + " must start after the previous one " + ranges.getLast());
            }
            ranges.add(range);
        }
        return ranges;
    }
}
