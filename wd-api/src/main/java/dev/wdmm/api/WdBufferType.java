package dev.wdmm.api;

/**
 * The kind of buffer a request carries: C's {@code enum wd_buff_type}.
 *
 * <p>The numeric values are the C ones and are stable. Immutable and thread-safe.
 */
public enum WdBufferType {
    /** {@code WD_FLAT_BUF = 0}: one plain, contiguous buffer. */
    FLAT(0),
    /** {@code WD_SGL_BUF = 1}: a scatter-gather list of buffers. */
    SGL(1);

    private final int value;

    WdBufferType(int value) {
        this.value = value;
    }

    /**
     * Returns the C value of this type.
     *
     * @return {@code 0} for {@link #FLAT}, {@code 1} for {@link #SGL}
     */
    public int value() {
        return value;
    }

    /**
     * Returns the type whose C value is {@code value}.
     *
     * @param value a C {@code wd_buff_type} value
     * @return the matching type, never null
     * @throws IllegalArgumentException if no type has that value; the message names the value and
     *     the known values
     */
    public static WdBufferType of(int value) {
        for (WdBufferType type : values()) {
            if (type.value == value) {
                return type;
            }
        }
        throw new IllegalArgumentException("wd_buff_type=" + value + " is unknown; known values: FLAT=0, SGL=1");
    }
}
