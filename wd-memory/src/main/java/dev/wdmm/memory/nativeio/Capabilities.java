package dev.wdmm.memory.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The calling process's effective capabilities, read from {@code CapEff} in
 * {@code /proc/self/status}. Stateless and thread-safe.
 */
public final class Capabilities {
    /** {@code CAP_IPC_LOCK}: lock and pin memory without {@code RLIMIT_MEMLOCK}. */
    public static final int CAP_IPC_LOCK = 14;
    /** {@code CAP_SYS_ADMIN}: among others, see frame numbers in pagemap. */
    public static final int CAP_SYS_ADMIN = 21;

    private Capabilities() {}

    /**
     * Whether the process has a capability in its effective set.
     *
     * @param capability its number, {@code 0..63}
     * @return true if effective; false if not, or if {@code /proc/self/status} cannot be read
     * @throws IllegalArgumentException if {@code capability} is outside {@code 0..63}
     */
    public static boolean effective(int capability) {
        if (capability < 0 || capability > 63) {
            throw new IllegalArgumentException("capability=" + capability + " must be in 0..63");
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
