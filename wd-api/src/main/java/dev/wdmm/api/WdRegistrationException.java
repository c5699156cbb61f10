package dev.wdmm.api;

/**
 * A {@link WdRegistration#register} or {@link WdRegistration#unregister} was refused; nothing was
 * changed. The message names the range, the rule and, where the environment is the cause, the fix.
 */
public class WdRegistrationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Why the call was refused. */
    public enum Reason {
        /** The start or size is not a multiple of the 4 KiB page. */
        NOT_ALIGNED,
        /** The range overlaps memory the bridge allocated itself. */
        OVERLAPS_BRIDGE_MEMORY,
        /** The range overlaps a registration without being equal to it. */
        OVERLAPS_REGISTRATION,
        /** The bridge cannot hold this memory in place here (the message says why and the fix). */
        CANNOT_HOLD,
        /** {@code unregister} of a range that is not registered. */
        NOT_REGISTERED,
        /** The last {@code unregister} while mappings of the registration are live. */
        MAPPINGS_LIVE
    }

    /** The start of the refused range. */
    private final long address;
    /** Why it was refused. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param address the start of the refused range
     * @param reason why it was refused
     * @param message the full message, {@code key=value} style
     * @param cause the underlying failure, or null
     */
    public WdRegistrationException(long address, Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.address = address;
        this.reason = reason;
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
     * Returns why the call was refused.
     *
     * @return the reason, never null
     */
    public Reason reason() {
        return reason;
    }
}
