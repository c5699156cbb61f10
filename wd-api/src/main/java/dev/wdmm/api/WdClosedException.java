package dev.wdmm.api;

/** An operation was called on a bridge, queue or pool after it was closed. Nothing was changed. */
public class WdClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the closed object and the operation
     */
    public WdClosedException(String message) {
        super(message);
    }
}
