package dev.wdmm.memory.nativeio;

/**
 * A resource limit as {@code getrlimit(2)} reports it: the soft limit the kernel enforces and the
 * hard ceiling an unprivileged process may raise it to. {@link #UNLIMITED} stands for
 * {@code RLIM_INFINITY}. Immutable and thread-safe.
 *
 * @param soft the enforced limit in bytes (for {@code RLIMIT_MEMLOCK}), or {@link #UNLIMITED}
 * @param hard the ceiling of {@code soft}, or {@link #UNLIMITED}
 */
public record ResourceLimit(long soft, long hard) {
    /** {@code RLIM_INFINITY}: no limit. */
    public static final long UNLIMITED = -1L;

    /** Checks the values. */
    public ResourceLimit {
        if (soft < UNLIMITED) {
            throw new IllegalArgumentException("soft=" + soft + " must be >= 0 or UNLIMITED (-1)");
        }
        if (hard < UNLIMITED) {
            throw new IllegalArgumentException("hard=" + hard + " must be >= 0 or UNLIMITED (-1)");
        }
        if (hard != UNLIMITED && (soft == UNLIMITED || soft > hard)) {
            throw new IllegalArgumentException("soft=" + text(soft) + " must be <= hard=" + text(hard));
        }
    }

    /**
     * Whether at least {@code bytes} fit under the soft limit.
     *
     * @param bytes an amount, {@code >= 0}
     * @return true if the soft limit is unlimited or {@code >= bytes}
     */
    public boolean allows(long bytes) {
        return soft == UNLIMITED || soft >= bytes;
    }

    /**
     * Returns {@code soft=65536 hard=65536} (bytes), with {@code unlimited} for {@link #UNLIMITED}.
     *
     * @return the text form
     */
    @Override
    public String toString() {
        return "soft=" + text(soft) + " hard=" + text(hard);
    }

    private static String text(long value) {
        return value == UNLIMITED ? "unlimited" : Long.toString(value);
    }
}
