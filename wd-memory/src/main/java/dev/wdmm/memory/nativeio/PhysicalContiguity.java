package dev.wdmm.memory.nativeio;

import java.lang.foreign.MemorySegment;

/**
 * Implemented by bridges whose IOVAs are physical addresses (no-IOMMU, passthrough), for callers
 * that build scatter-gather lists: how far from an address the memory stays physically
 * contiguous, so that a range that cannot have one IOVA can be split into pieces that can. Obtain
 * it with {@code bridge instanceof PhysicalContiguity contiguity}.
 *
 * <p><b>Thread-safety:</b> implementations are as thread-safe as the bridge (fully).
 */
public interface PhysicalContiguity {

    /**
     * How many bytes from {@code segment.address()} are physically contiguous, up to
     * {@code limit} and never past the end of the allocation containing the address; like SPDK's
     * {@code spdk_vtophys(va, &size)}. {@code iovaMap(segment, n)} succeeds for every {@code n} up
     * to the returned value.
     *
     * @param segment the start address, inside a live allocation of this bridge
     * @param limit the most bytes to consider, {@code > 0} and {@code <= segment.byteSize()}
     * @return bytes in {@code [1, limit]}
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code limit} breaks the rules above or wraps
     * @throws dev.wdmm.api.WdOwnershipException if the address is not inside a live allocation
     * @throws dev.wdmm.api.WdClosedException after the bridge is closed
     */
    long contiguousLength(MemorySegment segment, long limit);
}
