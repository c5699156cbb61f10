package dev.wdmm.memory.alloc;

import java.util.Objects;

/**
 * The policy of a {@link ChunkAllocator}.
 *
 * @param owner names the allocator's owner in every message, e.g. {@code "sva bridge"}
 * @param retainEmpty empty chunks each bin (size class and stripe) keeps before giving more back
 *     to the source, {@code >= 0}; 0 also turns the per-thread caches of free slots off
 * @param stripes bins per size class, a power of two in {@code [1, 1024]}; threads take stripes in
 *     turn (the n-th thread to use the allocator refills its cache from stripe {@code n mod stripes})
 */
public record AllocatorSettings(String owner, int retainEmpty, int stripes) {
    /** Default of {@link #retainEmpty}: one empty chunk per bin. */
    public static final int DEFAULT_RETAIN_EMPTY = 1;

    /**
     * Checks the values.
     *
     * @throws NullPointerException if {@code owner} is null
     * @throws IllegalArgumentException if {@code retainEmpty < 0} or {@code stripes} is not a
     *     power of two in {@code [1, 1024]}
     */
    public AllocatorSettings {
        Objects.requireNonNull(owner, "owner is null");
        if (retainEmpty < 0) {
            throw new IllegalArgumentException("retainEmpty=" + retainEmpty + " must be >= 0");
        }
        if (stripes < 1 || stripes > 1024 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes=" + stripes + " must be a power of two in [1, 1024]");
        }
    }

    /**
     * Settings with {@link #DEFAULT_RETAIN_EMPTY} and {@link #defaultStripes()}.
     *
     * @param owner names the owner in messages
     * @return the settings
     */
    public static AllocatorSettings of(String owner) {
        return new AllocatorSettings(owner, DEFAULT_RETAIN_EMPTY, defaultStripes());
    }

    /**
     * Twice the available processors, rounded up to a power of two, at most 1024.
     *
     * @return the stripe count
     */
    public static int defaultStripes() {
        int wanted = 2 * Math.max(1, Runtime.getRuntime().availableProcessors());
        return Math.min(1024, Integer.highestOneBit(wanted - 1) << 1);
    }
}
