package dev.wdmm.api;

/**
 * A range cannot be given one IOVA: it is not inside a mapped region, crosses two regions, or is
 * not physically contiguous. The message says where, and {@link #breakOffset()} gives the offset
 * into the range at which contiguity breaks when that is known, so a caller can split the range
 * (or use a scatter-gather list). Nothing was changed.
 */
public class WdMappingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The start of the range asked for. */
    private final long address;
    /** The size of the range asked for, in bytes. */
    private final long size;
    /** The offset into the range where contiguity breaks, or -1 when the failure is not about it. */
    private final long breakOffset;

    /**
     * Creates the exception.
     *
     * @param address start of the refused range
     * @param size size of the refused range
     * @param breakOffset offset into the range where contiguity breaks, or {@code -1} if the
     *     failure is not about contiguity
     * @param message the full message, {@code key=value} style
     */
    public WdMappingException(long address, long size, long breakOffset, String message) {
        super(message);
        this.address = address;
        this.size = size;
        this.breakOffset = breakOffset;
    }

    /**
     * Returns the start of the refused range.
     *
     * @return the address
     */
    public long address() {
        return address;
    }

    /**
     * Returns the size of the refused range.
     *
     * @return bytes
     */
    public long size() {
        return size;
    }

    /**
     * Returns the offset into the range where physical contiguity breaks.
     *
     * @return the offset, or {@code -1} when the failure is not about contiguity
     */
    public long breakOffset() {
        return breakOffset;
    }
}
