package dev.wdmm.api;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A data buffer as a request hands it to a device: C's {@code struct wd_dtb}, of one of the two
 * {@link WdBufferType}s. {@code bsize} is the buffer's usable size and {@code dsize} how many
 * bytes of it hold valid data.
 *
 * <ul>
 *   <li>{@link WdBufferType#FLAT} ({@link #of(MemorySegment)}): {@code data} is the buffer, and its
 *       device address is {@code iovaMap(data, bsize)} of the bridge or queue that owns it
 *       ({@link WdMmBridge#iovaMap(WdDtb)}, {@link WdQueue#iovaMap(WdDtb)}).
 *   <li>{@link WdBufferType#SGL} ({@link #of(WdSgl)}): as in C, {@code data} is the chain's
 *       hardware image ({@link WdSgl#image()}), {@code bsize} the bytes the chain describes, and
 *       the device address is the chain's head DMA address ({@link WdSgl#dma()}).
 * </ul>
 *
 * <p>{@link #copyIn} and {@link #copyOut} move bytes in and out of the buffer whatever its type
 * and keep {@code dsize} consistent with what was copied.
 *
 * <p>Invariant, checked on construction: {@code 0 <= dsize <= bsize}, {@code bsize <=
 * data.byteSize()} for a flat buffer and {@code bsize <= sgl.size()} for an SGL, and both sizes fit
 * C's unsigned 32-bit fields ({@code <= 0xFFFFFFFF}). Immutable and thread-safe (the bytes are
 * not: they belong to whoever owns the memory).
 *
 * @param data the buffer (flat) or the SGL's hardware image (SGL), a native segment
 * @param dsize bytes of valid data
 * @param bsize buffer size
 * @param sgl the chain for an SGL buffer, {@code null} for a flat one
 */
public record WdDtb(MemorySegment data, long dsize, long bsize, WdSgl sgl) {
    /** The largest value C's {@code __u32} fields can hold. */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    /**
     * Checks the invariant.
     *
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException if {@code data} is not native, is not the chain's image, or
     *     a size is negative, over {@link #U32_MAX}, or out of order; the message names the value
     *     and the rule
     * @throws IllegalStateException if {@code sgl} was freed
     */
    public WdDtb {
        Objects.requireNonNull(data, "data is null");
        if (!data.isNative()) {
            throw new IllegalArgumentException("data=" + data + " must be a native segment");
        }
        requireU32("bsize", bsize);
        requireU32("dsize", dsize);
        if (sgl == null && bsize > data.byteSize()) {
            throw new IllegalArgumentException("bsize=" + bsize + " must be <= data.byteSize()=" + data.byteSize());
        }
        if (sgl != null) {
            if (data.address() != sgl.image().address()) {
                throw new IllegalArgumentException(
                        "data va=0x" + Long.toHexString(data.address()) + " must be the SGL's image va=0x"
                                + Long.toHexString(sgl.image().address()));
            }
            if (bsize > sgl.size()) {
                throw new IllegalArgumentException("bsize=" + bsize + " must be <= sgl.size()=" + sgl.size());
            }
        }
        if (dsize > bsize) {
            throw new IllegalArgumentException("dsize=" + dsize + " must be <= bsize=" + bsize);
        }
    }

    /**
     * A flat buffer: C's {@code wd_dtb} with {@code data} pointing at the bytes.
     *
     * @param data the buffer, a native segment
     * @param dsize bytes of valid data
     * @param bsize buffer size
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException as the canonical constructor
     */
    public WdDtb(MemorySegment data, long dsize, long bsize) {
        this(data, dsize, bsize, null);
    }

    /**
     * A flat buffer that spans the whole segment and holds no data yet.
     *
     * @param data the buffer; its size must fit in u32
     * @return a dtb with {@code dsize = 0} and {@code bsize = data.byteSize()}
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static WdDtb of(MemorySegment data) {
        Objects.requireNonNull(data, "data is null");
        return new WdDtb(data, 0, data.byteSize());
    }

    /**
     * An SGL buffer over the whole chain, holding no data yet: {@code data} is the chain's image,
     * {@code bsize} the bytes the chain describes.
     *
     * @param sgl the chain
     * @return a dtb of type {@link WdBufferType#SGL} with {@code dsize = 0}
     * @throws NullPointerException if {@code sgl} is null
     * @throws IllegalArgumentException if the chain describes more than {@link #U32_MAX} bytes
     * @throws IllegalStateException if the chain was freed
     */
    public static WdDtb of(WdSgl sgl) {
        Objects.requireNonNull(sgl, "sgl is null");
        return new WdDtb(sgl.image(), 0, sgl.size(), sgl);
    }

    /**
     * The kind of buffer: C's {@code wd_buff_type}.
     *
     * @return {@link WdBufferType#SGL} if this dtb carries a chain, else {@link WdBufferType#FLAT}
     */
    public WdBufferType type() {
        return sgl == null ? WdBufferType.FLAT : WdBufferType.SGL;
    }

    /**
     * Returns a copy with a new data size.
     *
     * @param newDsize the new amount of valid data
     * @return a new dtb; this one is unchanged
     * @throws IllegalArgumentException if {@code newDsize} breaks the invariant
     */
    public WdDtb withDsize(long newDsize) {
        return new WdDtb(data, newDsize, bsize, sgl);
    }

    /**
     * The valid data of a flat buffer as a slice of {@code data}.
     *
     * @return {@code data.asSlice(0, dsize)}
     * @throws IllegalStateException for an SGL buffer, whose data is spread over the chain's
     *     buffers (use {@link #copyOut})
     */
    public MemorySegment validData() {
        if (sgl != null) {
            throw new IllegalStateException("type=SGL: the data is spread over " + sgl.entryCount()
                    + " buffers; use copyOut (or the chain's buffers)");
        }
        return data.asSlice(0, dsize);
    }

    /**
     * Copies all of {@code source} into the buffer from its start (through the chain for an SGL
     * buffer: {@code wd_sgl_cp_from_pbuf}) and returns the dtb that describes it.
     *
     * @param source the bytes; at most {@code bsize}
     * @return a new dtb with {@code dsize = source.byteSize()}; this one is unchanged
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalArgumentException if {@code source} is larger than {@code bsize} (nothing copied)
     * @throws IllegalStateException if the memory was released (chain freed, segment's scope closed)
     */
    public WdDtb copyIn(MemorySegment source) {
        Objects.requireNonNull(source, "source is null");
        if (source.byteSize() > bsize) {
            throw new IllegalArgumentException(
                    "source.byteSize()=" + source.byteSize() + " must be <= bsize=" + bsize + " (nothing copied)");
        }
        if (source.byteSize() > 0) {
            if (sgl == null) {
                MemorySegment.copy(source, 0, data, 0, source.byteSize());
            } else {
                sgl.copyFrom(0, source);
            }
        }
        return withDsize(source.byteSize());
    }

    /**
     * Copies the valid data ({@code dsize} bytes) into the start of {@code target} (through the
     * chain for an SGL buffer: {@code wd_sgl_cp_to_pbuf}).
     *
     * @param target where to copy to; at least {@code dsize} bytes
     * @return {@code dsize}, the bytes copied
     * @throws NullPointerException if {@code target} is null
     * @throws IllegalArgumentException if {@code target} is smaller than {@code dsize} (nothing copied)
     * @throws IllegalStateException if the memory was released (chain freed, segment's scope closed)
     */
    public long copyOut(MemorySegment target) {
        Objects.requireNonNull(target, "target is null");
        if (target.byteSize() < dsize) {
            throw new IllegalArgumentException(
                    "target.byteSize()=" + target.byteSize() + " must be >= dsize=" + dsize + " (nothing copied)");
        }
        if (dsize > 0) {
            if (sgl == null) {
                MemorySegment.copy(data, 0, target, 0, dsize);
            } else {
                sgl.copyTo(0, target.asSlice(0, dsize));
            }
        }
        return dsize;
    }

    /** Refuses an IOVA that is not this SGL buffer's head DMA address (the bridges' and queues' unmap rule). */
    void requireSglDma(long iova) {
        if (iova != sgl.dma()) {
            throw new IllegalArgumentException("iova=0x" + Long.toHexString(iova) + " must be the SGL's head dma=0x"
                    + Long.toHexString(sgl.dma()));
        }
    }

    private static void requireU32(String name, long value) {
        if (value < 0 || value > U32_MAX) {
            throw new IllegalArgumentException(name + "=" + value + " must be in [0, 0xFFFFFFFF] (C __u32)");
        }
    }
}
