package dev.wdmm.core;

/**
 * A file read for mode detection exists but cannot be read or makes no sense. The message names
 * the file and its content ({@code file=/sys/class/uacce/zip0/flags content='zz' must be an
 * integer}).
 */
public class WdDetectionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the file, its content and the rule
     * @param cause the I/O failure, or null
     */
    public WdDetectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
