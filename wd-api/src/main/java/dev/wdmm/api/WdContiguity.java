package dev.wdmm.api;

import java.lang.foreign.MemorySegment;

/**
 * A bridge capability of bridges whose IOVAs are physical addresses (noiommu, hugepage): how far
 * from an address the memory stays IOVA-contiguous, so that a range that cannot have one IOVA can
 * be split into pieces that can (scatter-gather lists). Obtain it with
 * {@code bridge.unwrap(WdContiguity.class)}; a bridge whose every allocation is IOVA-contiguous
 * does not need to offer it.
 *
 * <p><b>Thread-safety:</b> as the bridge: may be called from many threads at once.
 */
public interface WdContiguity {

    /**
     * How many bytes from {@code segment.address()} are IOVA-contiguous, up to {@code limit} and
     * never past the end of the allocation containing the address; like SPDK's
     * {@code spdk_vtophys(va, &size)}. {@code iovaMap(segment, n)} succeeds for every {@code n} up
     * to the returned value.
     *
     * @param segment the start address, inside a live allocation of the bridge
     * @param limit the most bytes to consider, {@code > 0} and {@code <= segment.byteSize()}
     * @return bytes in {@code [1, limit]}
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code limit} breaks the rules above or wraps
     * @throws WdOwnershipException if the address is not inside a live allocation
     * @throws WdClosedException after the bridge is closed
     */
    long contiguousLength(MemorySegment segment, long limit);
}
