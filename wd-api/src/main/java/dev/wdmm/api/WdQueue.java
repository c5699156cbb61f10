package dev.wdmm.api;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The memory side of a WarpDrive queue: {@code wd_iova_map}, {@code wd_iova_unmap} and the
 * queue's reserved memory.
 *
 * <p>{@link #iovaMap} translates memory inside the queue's reserved region by arithmetic on its
 * slice table; any other memory is translated by the queue's {@link #bridge()} (as UADK's
 * drivers call the user bridge when the queue has one).
 *
 * <p><b>Thread-safety:</b> all methods may be called concurrently. <b>Failures:</b> as on
 * {@link WdMmBridge}; after {@link #close()} every method throws {@link WdClosedException}.
 */
public interface WdQueue extends AutoCloseable {

    /**
     * The IOMMU mode this queue's device works in.
     *
     * @return the mode, never null
     */
    IommuMode mode();

    /**
     * The bridge this queue allocates and maps through.
     *
     * @return the bridge, never null
     */
    WdMmBridge bridge();

    /**
     * {@code wd_iova_map(q, va, sz)}: the IOVA of a range; the whole range must be inside one
     * contiguous slice of the reserved memory, or else be mappable by the bridge.
     *
     * @param segment start of the range; must cover {@code size} bytes
     * @param size bytes, {@code > 0}
     * @return the IOVA of the first byte
     * @throws IllegalArgumentException on bad arguments (see {@link WdMmBridge#iovaMap})
     * @throws WdMappingException if the range crosses slices of the reserved memory
     * @throws WdClosedException after close
     */
    long iovaMap(MemorySegment segment, long size);

    /**
     * {@code wd_iova_unmap(q, va, iova, sz)}: validates that {@code iova} is what
     * {@link #iovaMap} gives for the range and undoes whatever the backend did.
     *
     * @param segment start of the range
     * @param iova the IOVA returned by {@link #iovaMap}
     * @param size bytes
     * @throws IllegalArgumentException if the IOVA or range do not match a mapping
     * @throws WdClosedException after close
     */
    void iovaUnmap(MemorySegment segment, long iova, long size);

    /**
     * The device address of a request's buffer, flat or SGL: for {@link WdBufferType#FLAT},
     * {@code iovaMap(dtb.data(), dtb.bsize())} of this queue (release it with
     * {@link #iovaUnmap(WdDtb, long)}); for {@link WdBufferType#SGL}, the chain's head DMA address
     * {@link WdSgl#dma()} (the chain's images live in DMA memory already).
     *
     * @param dtb the buffer
     * @return the address to give the device
     * @throws NullPointerException if {@code dtb} is null
     * @throws IllegalArgumentException as {@link #iovaMap(MemorySegment, long)} for a flat buffer
     *     (a {@code bsize} of 0 included)
     * @throws IllegalStateException if an SGL buffer's chain was freed
     * @throws WdClosedException after close
     */
    default long iovaMap(WdDtb dtb) {
        java.util.Objects.requireNonNull(dtb, "dtb is null");
        return dtb.sgl() == null ? iovaMap(dtb.data(), dtb.bsize()) : dtb.sgl().dma();
    }

    /**
     * Releases what {@link #iovaMap(WdDtb)} gave: {@code iovaUnmap(dtb.data(), iova, dtb.bsize())}
     * for a flat buffer; for an SGL buffer it checks that {@code iova} is the chain's head DMA
     * address.
     *
     * @param dtb the buffer
     * @param iova what {@link #iovaMap(WdDtb)} returned for it
     * @throws NullPointerException if {@code dtb} is null
     * @throws IllegalArgumentException if {@code iova} is not what {@link #iovaMap(WdDtb)} gives
     * @throws IllegalStateException if an SGL buffer's chain was freed
     * @throws WdClosedException after close
     */
    default void iovaUnmap(WdDtb dtb, long iova) {
        if (java.util.Objects.requireNonNull(dtb, "dtb is null").sgl() == null) {
            iovaUnmap(dtb.data(), iova, dtb.bsize());
        } else {
            dtb.requireSglDma(iova);
        }
    }

    /**
     * {@code wd_reserve_memory(q, size)}: reserves this queue's DMA region, once.
     *
     * @param size bytes, {@code > 0}
     * @return the region with its slice table
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws IllegalStateException if memory was already reserved for this queue, or the
     *     queue's backend has no region source (the message names the backends that do)
     * @throws WdAllocationException if the region source cannot supply {@code size} bytes
     * @throws WdClosedException after close
     */
    WdReservedMemory reserveMemory(long size);

    /**
     * The reserved region, if {@link #reserveMemory} was called.
     *
     * @return the region, or empty
     */
    Optional<WdReservedMemory> reservedMemory();

    /** Releases the reserved memory (if any). Idempotent. Does not close the bridge. */
    @Override
    void close();

    /**
     * The accounting of the queue's bridge ({@link WdMmBridge#stats()}); the queue's reserved
     * memory is reported by the region's source, not here.
     *
     * @return the snapshot
     */
    default WdStats stats() {
        return bridge().stats();
    }
}
