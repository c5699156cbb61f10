package dev.wdmm.rig;

/** A failure of the rig's driver or check: a native call, the device, or a broken expectation. */
final class RigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RigException(String message) {
        super(message);
    }

    RigException(String message, Throwable cause) {
        super(message, cause);
    }
}
