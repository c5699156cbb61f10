package dev.wdmm.api;

import java.lang.foreign.MemorySegment;

/**
 * A bridge capability: register memory the application already owns (a file mapping, another
 * allocator's buffer, an {@link java.lang.foreign.Arena}-allocated segment) so that the bridge
 * maps it like its own: SPDK's {@code spdk_mem_register}, DPDK's {@code rte_extmem_register} +
 * {@code rte_dev_dma_map}. Obtain it with {@code bridge.unwrap(WdRegistration.class)} (from the
 * facade: {@code mm.bridge().unwrap(...)}; from a queue: {@code queue.bridge().unwrap(...)}).
 *
 * <p>After {@link #register}, {@link WdMmBridge#iovaMap} (and {@link WdAddressAccess#iovaMapAddress},
 * {@link WdContiguity#contiguousLength}, {@link WdIovaLookup}) work on any slice of the segment as
 * on the bridge's own memory; a range gets one IOVA only where it is IOVA-contiguous. What
 * registering does depends on the bridge's mode ({@link #holding()}):
 * <ul>
 *   <li>physical addresses (noiommu, hugepage): the pages are held in place by one long-term pin
 *       ({@code FOLL_LONGTERM}) and their frames read from pagemap after pinning;</li>
 *   <li>IOMMU-translated (vfio): one {@code VFIO_IOMMU_MAP_DMA} of the segment at an IOVA the
 *       bridge allocates (which also pins the pages);</li>
 *   <li>SVA: nothing to do, the IOVA is the address.</li>
 * </ul>
 *
 * <p><b>Rules.</b> The segment must be native, non-empty and start and end on a 4 KiB page
 * boundary in every mode (pins and IOMMU mappings hold whole pages, and registrations are told
 * apart by page, as {@code rte_extmem_register} requires). Registering the same range again
 * (same address and size) counts a reference: each {@code register} needs its {@code unregister},
 * and only the last one releases it. A range overlapping another registration without being
 * equal to it, or overlapping the bridge's own memory, is refused. The last {@code unregister} is
 * refused while the registration has live mappings: every {@code iovaMap} of registered memory
 * counts one until its {@code iovaUnmap}. The application must keep the memory mapped until the
 * last {@code unregister} (or the bridge's close) and must not {@code free} it through the bridge
 * (refused as {@link WdOwnershipException.Reason#FOREIGN}). A refused call changes nothing.
 * {@link WdMmBridge#close()} releases every registration (pins, IOMMU mappings); the memory itself
 * stays the application's.
 *
 * <p><b>Thread-safety:</b> as the bridge: every method may be called from many threads at once.
 * Register and unregister are serialized per bridge; maps of registered memory take no lock.
 */
public interface WdRegistration {

    /**
     * Registers {@code segment}: holds it in place and translates it as this bridge's mode needs.
     *
     * @param segment native memory the caller owns, page-aligned start and size
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment or empty
     * @throws WdRegistrationException naming the rule: not page-aligned, overlapping the bridge's
     *     memory or another registration, or not holdable here (pinning refused, a file mapping the
     *     kernel will not pin, the IOMMU refusing the mapping), with the cause and the fix
     * @throws WdClosedException after the bridge is closed
     */
    void register(MemorySegment segment);

    /**
     * Drops one reference to the registration of exactly {@code segment}'s range; the last one
     * releases it (unpins, or {@code VFIO_IOMMU_UNMAP_DMA}).
     *
     * @param segment the range given to {@link #register} (address and size)
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if {@code segment} is a heap segment or empty
     * @throws WdRegistrationException if the range is not registered (never, or already
     *     unregistered, or registered with another size), or if this is the last reference and
     *     mappings of it are live (the count is named)
     * @throws WdClosedException after the bridge is closed
     */
    void unregister(MemorySegment segment);

    /**
     * Bytes registered now (each registration once, whatever its reference count).
     *
     * @return bytes; 0 after close
     */
    long registeredBytes();

    /**
     * How this bridge holds registered memory, for reports, e.g. {@code "one long-term pin per
     * registration"}.
     *
     * @return a short phrase
     */
    String holding();
}
