package dev.wdmm.api;

/**
 * What an allocation with constraints must satisfy, for {@link WdConstrainedAlloc#alloc}: the
 * size plus any of zeroed memory ({@code rte_zmalloc}), an alignment ({@code spdk_dma_zmalloc(size,
 * align)}), a boundary the device range must not cross and a single device-address range
 * ({@code rte_memzone_reserve_bounded} with {@code RTE_MEMZONE_IOVA_CONTIG}), and the highest
 * device address the device can reach (a DMA mask, {@code rte_mem_check_dma_mask}). Immutable;
 * every {@code with…} method returns a new request and refuses a bad value with an
 * {@link IllegalArgumentException} naming the value and the rule.
 *
 * <p>The constraints are on <b>device addresses</b> (IOVAs), which is what a device sees: with
 * SVA they are the virtual addresses; with physical-address backends the physical ones.
 * <ul>
 *   <li>{@code alignment}: the first byte's IOVA (and its virtual address) is a multiple of it;</li>
 *   <li>{@code boundary}: {@code [iova, iova + size)} lies between two consecutive multiples of it
 *       (implies {@code contiguous});</li>
 *   <li>{@code maxIova}: every byte's IOVA is {@code <=} it, compared unsigned (a 32-bit device:
 *       {@code withDmaBits(32)}, {@code maxIova = 0xffffffff});</li>
 *   <li>{@code contiguous}: the whole allocation has one IOVA range, so {@code iovaMap(segment,
 *       size)} succeeds (on memory of 4 KiB pages a multi-page allocation is otherwise split by
 *       SGLs);</li>
 *   <li>{@code zeroed}: every byte reads 0 when the segment is handed out.</li>
 * </ul>
 *
 * @param size bytes, {@code > 0}
 * @param alignment a power of two, {@code >= 1}; 1 means none
 * @param boundary 0 (none) or a power of two {@code >= size}
 * @param maxIova the highest IOVA any byte may have, unsigned; {@code -1} (all ones) means none
 * @param zeroed whether the memory must read all zeros
 * @param contiguous whether the allocation must be one IOVA range (true whenever {@code boundary != 0})
 */
public record WdAllocRequest(
        long size, long alignment, long boundary, long maxIova, boolean zeroed, boolean contiguous) {

    /** {@link #maxIova()} of a request without a DMA mask: every IOVA is fine. */
    public static final long NO_MAX_IOVA = -1L;

    /**
     * Checks every rule (see the class comment); sets {@code contiguous} when a boundary is given.
     *
     * @throws IllegalArgumentException naming the first value that breaks its rule
     */
    public WdAllocRequest {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        if (alignment < 1 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment=" + alignment + " must be a power of two >= 1");
        }
        if (boundary != 0 && (boundary < 0 || Long.bitCount(boundary) != 1)) {
            throw new IllegalArgumentException("boundary=" + boundary + " must be 0 (none) or a power of two");
        }
        if (boundary != 0 && boundary < size) {
            throw new IllegalArgumentException(
                    "boundary=" + boundary + " must be >= size=" + size + " (an allocation cannot fit between two)");
        }
        if (maxIova != NO_MAX_IOVA && Long.compareUnsigned(maxIova, size - 1) < 0) {
            throw new IllegalArgumentException("maxIova=0x" + Long.toHexString(maxIova) + " must be >= size - 1 = 0x"
                    + Long.toHexString(size - 1) + " (no range of size=" + size + " fits below it)");
        }
        contiguous = contiguous || boundary != 0;
    }

    /**
     * A request for {@code size} bytes and nothing else (alignment 1, no boundary, no DMA mask, not
     * zeroed, not necessarily contiguous).
     *
     * @param size bytes, {@code > 0}
     * @return the request
     * @throws IllegalArgumentException if {@code size <= 0}
     */
    public static WdAllocRequest of(long size) {
        return new WdAllocRequest(size, 1, 0, NO_MAX_IOVA, false, false);
    }

    /**
     * This request with the first byte aligned to {@code alignment} (in IOVA and virtual address).
     *
     * @param alignment a power of two, {@code >= 1}
     * @return the new request
     * @throws IllegalArgumentException if {@code alignment} is not a power of two
     */
    public WdAllocRequest withAlignment(long alignment) {
        return new WdAllocRequest(size, alignment, boundary, maxIova, zeroed, contiguous);
    }

    /**
     * This request with a boundary its IOVA range must not cross (and so one IOVA range).
     *
     * @param boundary a power of two, {@code >= size}; 0 removes it
     * @return the new request
     * @throws IllegalArgumentException if {@code boundary} breaks its rule
     */
    public WdAllocRequest withBoundary(long boundary) {
        return new WdAllocRequest(size, alignment, boundary, maxIova, zeroed, contiguous);
    }

    /**
     * This request with a highest IOVA: no byte's IOVA may exceed {@code maxIova} (unsigned).
     *
     * @param maxIova the highest IOVA, {@code >= size - 1}; {@link #NO_MAX_IOVA} removes it
     * @return the new request
     * @throws IllegalArgumentException if no range of {@code size} bytes fits below it
     */
    public WdAllocRequest withMaxIova(long maxIova) {
        return new WdAllocRequest(size, alignment, boundary, maxIova, zeroed, contiguous);
    }

    /**
     * This request for a device that drives {@code bits} address lines: {@code maxIova = 2^bits - 1}
     * (a DMA mask of {@code bits} bits; 64 removes the limit).
     *
     * @param bits 1 to 64
     * @return the new request
     * @throws IllegalArgumentException if {@code bits} is outside 1..64, or the size does not fit
     */
    public WdAllocRequest withDmaBits(int bits) {
        if (bits < 1 || bits > 64) {
            throw new IllegalArgumentException("bits=" + bits + " must be in 1..64");
        }
        return withMaxIova(bits == 64 ? NO_MAX_IOVA : (1L << bits) - 1);
    }

    /**
     * This request with zeroed memory.
     *
     * @return the new request
     */
    public WdAllocRequest zeroedMemory() {
        return new WdAllocRequest(size, alignment, boundary, maxIova, true, contiguous);
    }

    /**
     * This request with one IOVA range for the whole allocation.
     *
     * @return the new request
     */
    public WdAllocRequest contiguousIova() {
        return new WdAllocRequest(size, alignment, boundary, maxIova, zeroed, true);
    }

    /**
     * Whether a device range {@code [iova, iova + length)} meets the DMA mask.
     *
     * @param iova the first byte's IOVA
     * @param length bytes, {@code > 0}
     * @return true if every byte's IOVA is {@code <= maxIova} (unsigned) and the range does not wrap
     */
    public boolean belowMaxIova(long iova, long length) {
        long last = iova + length - 1;
        return Long.compareUnsigned(last, iova) >= 0 && Long.compareUnsigned(last, maxIova) <= 0;
    }

    /**
     * Whether a device range {@code [iova, iova + size)} stays between two multiples of the boundary.
     *
     * @param iova the first byte's IOVA
     * @return true if there is no boundary or the range does not cross one
     */
    public boolean insideBoundary(long iova) {
        return boundary == 0 || ((iova ^ (iova + size - 1)) & -boundary) == 0;
    }

    /**
     * The request as {@code key=value} text, for messages.
     *
     * @return e.g. {@code size=8192 alignment=4096 boundary=65536 maxIova=0xffffffff zeroed contiguous}
     */
    @Override
    public String toString() {
        return "size=" + size + (alignment > 1 ? " alignment=" + alignment : "")
                + (boundary != 0 ? " boundary=" + boundary : "")
                + (maxIova != NO_MAX_IOVA ? " maxIova=0x" + Long.toHexString(maxIova) : "")
                + (zeroed ? " zeroed" : "") + (contiguous ? " contiguous" : "");
    }
}
