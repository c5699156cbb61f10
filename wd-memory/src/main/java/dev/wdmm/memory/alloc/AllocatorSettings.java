package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdStats;
import dev.wdmm.spi.WdOption;
import java.util.Objects;

/**
 * The policy of a {@link ChunkAllocator}.
 *
 * @param owner names the allocator's owner in every message, e.g. {@code "sva bridge"}
 * @param retainEmpty empty chunks each bin (size class and stripe) keeps before giving more back
 *     to the source, {@code >= 0}; 0 also turns the per-thread caches of free slots off
 * @param stripes bins per size class, a power of two in {@code [1, 1024]}; threads take stripes in
 *     turn (the n-th thread to use the allocator refills its cache from stripe {@code n mod stripes})
 * @param checked checked mode and its quarantine ({@link CheckedMode#OFF} by default): a debugging
 *     aid that gives each allocation a scope of its own, quarantines freed memory and records sites
 * @param limitBytes the most bytes of chunks the allocator holds at once ({@link WdStats#NO_LIMIT}
 *     by default): an allocation that needs a chunk beyond it fails with a
 *     {@link dev.wdmm.api.WdAllocationException} naming the limit, after empty chunks were given back
 */
public record AllocatorSettings(String owner, int retainEmpty, int stripes, CheckedMode checked, long limitBytes) {
    /** Default of {@link #retainEmpty}: one empty chunk per bin. */
    public static final int DEFAULT_RETAIN_EMPTY = 1;

    /**
     * Checks the values.
     *
     * @throws NullPointerException if {@code owner} or {@code checked} is null
     * @throws IllegalArgumentException if {@code retainEmpty < 0}, {@code stripes} is not a
     *     power of two in {@code [1, 1024]} or {@code limitBytes <= 0}
     */
    public AllocatorSettings {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("limitBytes=" + limitBytes + " must be > 0");
        }
        Objects.requireNonNull(owner, "owner is null");
        Objects.requireNonNull(checked, "checked is null");
        if (retainEmpty < 0) {
            throw new IllegalArgumentException("retainEmpty=" + retainEmpty + " must be >= 0");
        }
        if (stripes < 1 || stripes > 1024 || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("stripes=" + stripes + " must be a power of two in [1, 1024]");
        }
    }

    /**
     * Settings in fast mode ({@link CheckedMode#OFF}).
     *
     * @param owner names the owner in messages
     * @param retainEmpty empty chunks each bin keeps, {@code >= 0}
     * @param stripes bins per size class, a power of two in {@code [1, 1024]}
     * @throws NullPointerException if {@code owner} is null
     * @throws IllegalArgumentException as the canonical constructor
     */
    public AllocatorSettings(String owner, int retainEmpty, int stripes) {
        this(owner, retainEmpty, stripes, CheckedMode.OFF);
    }

    /**
     * Settings without a limit.
     *
     * @param owner names the owner in messages
     * @param retainEmpty empty chunks each bin keeps, {@code >= 0}
     * @param stripes bins per size class, a power of two in {@code [1, 1024]}
     * @param checked the checked mode
     * @throws NullPointerException if {@code owner} or {@code checked} is null
     * @throws IllegalArgumentException as the canonical constructor
     */
    public AllocatorSettings(String owner, int retainEmpty, int stripes, CheckedMode checked) {
        this(owner, retainEmpty, stripes, checked, WdStats.NO_LIMIT);
    }

    /**
     * A copy with another limit on the bytes of chunks held.
     *
     * @param bytes the limit, {@code > 0} ({@link WdStats#NO_LIMIT}: none)
     * @return new settings; these are unchanged
     * @throws IllegalArgumentException if {@code bytes <= 0}
     */
    public AllocatorSettings withLimit(long bytes) {
        return new AllocatorSettings(owner, retainEmpty, stripes, checked, bytes);
    }

    /**
     * The option {@code wd.mm.<backend>.limit-bytes} a backend declares for its limit: the most
     * bytes of memory its bridge holds at once (chunks, huge pages; for a pool-backed bridge, bytes
     * of blocks allocated). Default: no limit.
     *
     * @param backend the backend's name, e.g. {@code "sva"}
     * @return the option; {@link WdStats#NO_LIMIT} means none
     */
    public static WdOption<Long> limitOption(String backend) {
        return WdOption.size(
                "wd.mm." + backend + ".limit-bytes",
                WdStats.NO_LIMIT,
                1,
                WdStats.NO_LIMIT,
                "the most bytes of memory the bridge holds at once; an allocation beyond it fails naming the limit"
                        + " (default: no limit)");
    }

    /**
     * A copy with another checked mode.
     *
     * @param mode the checked mode
     * @return new settings; these are unchanged
     * @throws NullPointerException if {@code mode} is null
     */
    public AllocatorSettings withChecked(CheckedMode mode) {
        return new AllocatorSettings(owner, retainEmpty, stripes, mode, limitBytes);
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
