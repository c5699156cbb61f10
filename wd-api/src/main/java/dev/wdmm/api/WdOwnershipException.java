package dev.wdmm.api;

/**
 * An address given to {@code free}, {@code iovaMap} or {@code iovaUnmap} is not the start of a
 * live allocation of this bridge. Nothing was changed.
 */
public class WdOwnershipException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Why the address was refused. */
    public enum Reason {
        /** The address belongs to no allocation of this bridge. */
        FOREIGN,
        /** The address lies inside an allocation but is not its start. */
        INTERIOR,
        /** The allocation was already freed. */
        ALREADY_FREED
    }

    /** The address that was refused. */
    private final long address;
    /** Why it was refused. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param address the refused address
     * @param reason why it was refused
     * @param message the full message, {@code key=value} style
     */
    public WdOwnershipException(long address, Reason reason, String message) {
        super(message);
        this.address = address;
        this.reason = reason;
    }

    /**
     * Returns the refused address.
     *
     * @return the address the caller passed
     */
    public long address() {
        return address;
    }

    /**
     * Returns why the address was refused.
     *
     * @return the reason, never null
     */
    public Reason reason() {
        return reason;
    }
}
