package dev.wdmm.api;

/**
 * A native call failed. The message names the call, its arguments, {@code errno} and
 * {@code strerror}, and where there is one, the fix.
 */
public class WdNativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The native call that failed, with its arguments. */
    private final String call;
    /** The errno it set. */
    private final int errno;

    /**
     * Creates the exception.
     *
     * @param call the native call with its arguments, e.g. {@code mmap(len=4096, ...)}
     * @param errno the captured {@code errno}
     * @param message the full message
     */
    public WdNativeException(String call, int errno, String message) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /**
     * Returns the failed call with its arguments.
     *
     * @return e.g. {@code mlock(addr=0x7f.., len=4096)}
     */
    public String call() {
        return call;
    }

    /**
     * Returns the {@code errno} the call left.
     *
     * @return the error number
     */
    public int errno() {
        return errno;
    }
}
