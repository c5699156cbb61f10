package dev.wdmm.core;

/** Discovery found two backend providers with one name; the message names both locations. */
public class WdDiscoveryException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the duplicated name and both locations
     */
    public WdDiscoveryException(String message) {
        super(message);
    }
}
