package dev.wdmm.memory.nativeio;

import dev.wdmm.api.WdNativeException;

/** Builds the {@link WdNativeException}s of this package: call, arguments, errno, strerror, fix. */
final class NativeErrors {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EINVAL = 22;
    static final int EMFILE = 24;
    static final int ENOSYS = 38;

    private NativeErrors() {}

    /** The symbolic name of the common error numbers, {@code "errno 77"} for the others. */
    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case 9 -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case EINVAL -> "EINVAL";
            case EMFILE -> "EMFILE";
            case ENOSYS -> "ENOSYS";
            default -> "errno " + errno;
        };
    }

    /**
     * A failure of {@code call}.
     *
     * @param call the call with its arguments, {@code mlock(addr=0x.., len=4096)}
     * @param errno the captured errno
     * @param fix what the user can do, or null when there is nothing to say
     */
    static WdNativeException failure(String call, int errno, String fix) {
        String message = call + " failed: errno=" + errno + " (" + name(errno) + ": " + LibC.strerror(errno) + ")"
                + (fix == null ? "" : "; fix: " + fix);
        return new WdNativeException(call, errno, message);
    }

    /** The fix for a lock that the kernel refused (mlock, MAP_LOCKED). */
    static String memlockFix(ResourceLimit limit) {
        return "RLIMIT_MEMLOCK is " + limit + " (locked memory this process may hold without CAP_IPC_LOCK);"
                + " raise it with `ulimit -l unlimited` (or LimitMEMLOCK=infinity in a systemd unit,"
                + " memlock in /etc/security/limits.conf, --ulimit memlock=-1 for docker),"
                + " or grant the process CAP_IPC_LOCK";
    }
}
