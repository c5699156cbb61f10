package dev.wdmm.api;

import java.lang.foreign.MemorySegment;

/**
 * A bridge capability: allocation with constraints a device imposes ({@link WdAllocRequest}:
 * zeroed, aligned, inside a boundary, below a DMA mask, one IOVA range), like DPDK's
 * {@code rte_zmalloc}, {@code rte_memzone_reserve_bounded} with {@code RTE_MEMZONE_IOVA_CONTIG}
 * and SPDK's {@code spdk_dma_zmalloc(size, align)}. Obtain it with
 * {@code bridge.unwrap(WdConstrainedAlloc.class)}.
 *
 * <p>The allocation is an ordinary allocation of the bridge: free it with
 * {@link WdMmBridge#free}, map it with {@link WdMmBridge#iovaMap} (which, for a contiguous request,
 * succeeds for the whole size). A constraint the bridge cannot meet now is refused with a
 * {@link WdConstraintException} that names the constraint and what this machine gave instead
 * (e.g. the longest IOVA-contiguous range found, or the lowest IOVA end found); a refused call
 * leaves no allocation behind.
 *
 * <p><b>Cost:</b> not a hot-path call. The bridge may allocate several candidates and check each
 * one's IOVAs page by page before it keeps one; zeroing writes every byte.
 *
 * <p><b>Thread-safety:</b> as the bridge: may be called from many threads at once.
 */
public interface WdConstrainedAlloc {

    /**
     * Allocates memory that meets every constraint of {@code request}.
     *
     * @param request what the memory must satisfy
     * @return a native segment of exactly {@code request.size()} bytes at the allocation's start
     * @throws NullPointerException if {@code request} is null
     * @throws IllegalArgumentException if the request is beyond what this bridge can ever serve
     *     (e.g. an alignment above its largest, named with the limit)
     * @throws WdConstraintException if a constraint cannot be met now (nothing is kept)
     * @throws WdAllocationException if the memory is exhausted
     * @throws WdClosedException after the bridge is closed
     */
    MemorySegment alloc(WdAllocRequest request);
}
