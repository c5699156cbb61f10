package dev.wdmm.core;

import static java.util.Objects.requireNonNull;

/**
 * A selected backend's provider failed in {@code open} or {@code regionSource}: the message names
 * the backend, the jar (or module) its provider came from, and the provider's own message; the
 * provider's exception is the cause. Thrown by {@link WdMm.Builder#open()} and, as the cause of a
 * Guice {@code ProvisionException}, by {@link dev.wdmm.core.guice.WdMmModule}. Not thread-bound;
 * immutable.
 */
public class WdOpenException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** The backend's name. */
    private final String backend;
    /** Where its provider came from. */
    private final String location;

    /**
     * Creates the exception.
     *
     * @param backend the backend's name
     * @param location where its provider's class came from (jar URL or module)
     * @param operation what failed, e.g. {@code "open"}
     * @param cause what the provider threw
     */
    public WdOpenException(String backend, String location, String operation, Throwable cause) {
        super(
                "backend=" + requireNonNull(backend, "backend is null") + " (from "
                        + requireNonNull(location, "location is null") + ") " + operation + " failed: " + cause,
                cause);
        this.backend = backend;
        this.location = location;
    }

    /**
     * The backend whose provider failed.
     *
     * @return its name
     */
    public String backend() {
        return backend;
    }

    /**
     * Where the failing provider came from.
     *
     * @return the jar URL or module name
     */
    public String location() {
        return location;
    }
}
