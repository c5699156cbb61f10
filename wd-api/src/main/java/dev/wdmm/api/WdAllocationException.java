package dev.wdmm.api;

/**
 * An allocation could not be satisfied: the backend's memory is exhausted or the operating
 * system refused more. Distinct from {@link OutOfMemoryError}: the JVM is fine, the DMA memory is
 * not. The message names the requested size and the counts the backend knows.
 */
public class WdAllocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The number of bytes asked for. */
    private final long requested;

    /**
     * Creates the exception.
     *
     * @param requested bytes that were asked for
     * @param message what ran out and how to get more, {@code key=value} style
     */
    public WdAllocationException(long requested, String message) {
        super(message);
        this.requested = requested;
    }

    /**
     * Creates the exception with a cause (typically a {@link WdNativeException}).
     *
     * @param requested bytes that were asked for
     * @param message what ran out and how to get more
     * @param cause the underlying failure
     */
    public WdAllocationException(long requested, String message, Throwable cause) {
        super(message, cause);
        this.requested = requested;
    }

    /**
     * Returns the size that could not be allocated.
     *
     * @return bytes requested
     */
    public long requested() {
        return requested;
    }
}
