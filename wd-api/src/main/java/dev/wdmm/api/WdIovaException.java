package dev.wdmm.api;

/**
 * An IOVA given to {@link WdIovaLookup} is not the device address of live memory of this bridge
 * (or queue): never handed out, or its memory freed or unregistered. The message names the IOVA in
 * hex. Nothing was changed.
 */
public class WdIovaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Why the IOVA was refused. */
    public enum Reason {
        /** No memory of this bridge has this IOVA. */
        FOREIGN,
        /** The IOVA lies in memory of this bridge that is not allocated (freed, or never allocated). */
        FREED,
        /** The range from the IOVA runs past the end of its allocation or registration. */
        OUT_OF_RANGE
    }

    /** The refused IOVA. */
    private final long iova;
    /** Why it was refused. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param iova the refused IOVA
     * @param reason why it was refused
     * @param message the full message, {@code key=value} style
     */
    public WdIovaException(long iova, Reason reason, String message) {
        super(message);
        this.iova = iova;
        this.reason = reason;
    }

    /**
     * Returns the refused IOVA.
     *
     * @return the IOVA the caller passed
     */
    public long iova() {
        return iova;
    }

    /**
     * Returns why the IOVA was refused.
     *
     * @return the reason, never null
     */
    public Reason reason() {
        return reason;
    }
}
