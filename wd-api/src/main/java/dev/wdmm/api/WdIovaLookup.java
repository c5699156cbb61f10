package dev.wdmm.api;

import java.lang.foreign.MemorySegment;

/**
 * A bridge capability: the virtual address behind a device address, for devices whose completions
 * carry IOVAs (UADK v1's {@code wd_dma_to_va}, DPDK's {@code rte_mem_iova2virt}). Obtain it with
 * {@code bridge.unwrap(WdIovaLookup.class)}, or for a queue (its reserved memory first, then its
 * bridge) with {@link #of(WdQueue)}.
 *
 * <p>It covers the bridge's own live allocations and the memory registered with
 * {@link WdRegistration}. For the bridge's own memory {@link #addressOf} is O(1) and allocates
 * nothing: a directory indexed by IOVA (by physical frame where IOVAs are physical addresses, by
 * IOVA range under VFIO, the address itself under SVA) gives the IOVA-contiguous piece holding it,
 * and the allocation's record says whether it is live. Round trip: for any address {@code va}
 * inside live memory, {@code addressOf(bridge.iovaMap(va, n)) == va}.
 *
 * <p><b>Foreign IOVAs</b> are refused with a {@link WdIovaException} naming the IOVA in hex and why
 * (never an empty result that a completion handler could ignore): an IOVA no memory of the bridge
 * has ({@link WdIovaException.Reason#FOREIGN}), or inside freed memory or a free slot of a chunk the
 * bridge still holds ({@link WdIovaException.Reason#FREED}); in checked mode, quarantined
 * allocations too.
 *
 * <p><b>Thread-safety:</b> as the bridge: every method may be called from many threads at once,
 * without a lock. A lookup racing the {@code free} of the same memory may see it either way.
 */
public interface WdIovaLookup {

    /**
     * The virtual address of the byte the device reaches at {@code iova}.
     *
     * @param iova a device address this bridge handed out (an interior one too)
     * @return the virtual address
     * @throws WdIovaException if no live memory of this bridge has this IOVA (hex named)
     * @throws WdClosedException after the bridge is closed
     */
    long addressOf(long iova);

    /**
     * The memory the device reaches at {@code [iova, iova + size)}, as a segment with the scope of
     * the memory behind it (the allocation's chunk, or the registered segment), so that access after
     * it is released throws {@link IllegalStateException}.
     *
     * @param iova a device address this bridge handed out
     * @param size bytes, {@code > 0}; the range must stay inside one IOVA-contiguous piece of one
     *     allocation or registration
     * @return a segment of {@code size} bytes at {@link #addressOf addressOf(iova)}
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws WdIovaException if the IOVA is refused as by {@link #addressOf}, or the range leaves
     *     its piece ({@link WdIovaException.Reason#OUT_OF_RANGE})
     * @throws WdClosedException after the bridge is closed
     */
    MemorySegment segmentOf(long iova, long size);

    /**
     * The lookup of a queue: an IOVA inside the queue's reserved memory (by its slice table), else
     * the lookup of the queue's bridge, if it offers one.
     *
     * @param queue the queue
     * @return a lookup for the queue; throws {@link WdIovaException} for an IOVA neither knows, and
     *     {@link WdClosedException} once the queue is closed
     * @throws NullPointerException if {@code queue} is null
     */
    static WdIovaLookup of(WdQueue queue) {
        return new QueueIovaLookup(java.util.Objects.requireNonNull(queue, "queue is null"));
    }
}
