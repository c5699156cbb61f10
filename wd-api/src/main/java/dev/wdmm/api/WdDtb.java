package dev.wdmm.api;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A data buffer: C's {@code struct wd_dtb}. {@code data} is the buffer, {@code bsize} its usable
 * size and {@code dsize} how many bytes of it hold valid data.
 *
 * <p>Invariant, checked on construction: {@code 0 <= dsize <= bsize <= data.byteSize()} and both
 * sizes fit C's unsigned 32-bit fields ({@code <= 0xFFFFFFFF}). Immutable and thread-safe (the
 * bytes of {@code data} are not: they belong to whoever owns the segment).
 *
 * @param data the buffer, a native segment
 * @param dsize bytes of valid data
 * @param bsize buffer size
 */
public record WdDtb(MemorySegment data, long dsize, long bsize) {
    /** The largest value C's {@code __u32} fields can hold. */
    public static final long U32_MAX = 0xFFFF_FFFFL;

    /**
     * Checks the invariant.
     *
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException if {@code data} is not native, or a size is negative, over
     *     {@link #U32_MAX}, or out of order; the message names the value and the rule
     */
    public WdDtb {
        Objects.requireNonNull(data, "data is null");
        if (!data.isNative()) {
            throw new IllegalArgumentException("data=" + data + " must be a native segment");
        }
        requireU32("bsize", bsize);
        requireU32("dsize", dsize);
        if (bsize > data.byteSize()) {
            throw new IllegalArgumentException("bsize=" + bsize + " must be <= data.byteSize()=" + data.byteSize());
        }
        if (dsize > bsize) {
            throw new IllegalArgumentException("dsize=" + dsize + " must be <= bsize=" + bsize);
        }
    }

    /**
     * A buffer that spans the whole segment and holds no data yet.
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
     * Returns a copy with a new data size.
     *
     * @param newDsize the new amount of valid data
     * @return a new dtb; this one is unchanged
     * @throws IllegalArgumentException if {@code newDsize} breaks the invariant
     */
    public WdDtb withDsize(long newDsize) {
        return new WdDtb(data, newDsize, bsize);
    }

    /**
     * The valid data as a slice of {@code data}.
     *
     * @return {@code data.asSlice(0, dsize)}
     */
    public MemorySegment validData() {
        return data.asSlice(0, dsize);
    }

    private static void requireU32(String name, long value) {
        if (value < 0 || value > U32_MAX) {
            throw new IllegalArgumentException(name + "=" + value + " must be in [0, 0xFFFFFFFF] (C __u32)");
        }
    }
}
