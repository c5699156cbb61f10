package dev.wdmm.memory.alloc;

import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.util.List;
import java.util.Objects;

/**
 * Whether a {@link ChunkAllocator} runs in checked mode, a debugging aid, and its quarantine's
 * bounds. Off by default: then nothing below costs anything.
 *
 * <p>In checked mode every segment from {@link ChunkAllocator#alloc} has a scope of its own (a
 * shared {@link java.lang.foreign.Arena} per allocation), closed by {@code free}: any later access
 * through it throws {@link IllegalStateException}, as it does after close or after its chunk went
 * back to the source. Freed memory stays out of reuse in a first-in first-out quarantine, at most
 * {@link #quarantineBytes()} bytes (requested sizes) and {@link #quarantineCount()} allocations,
 * before it is really freed; while quarantined, its address is refused by {@code free} as
 * {@code ALREADY_FREED} and by maps. The allocator records where each live allocation was made
 * ({@link ChunkAllocator#liveSites()}). The price: a shared arena's close is a JVM-wide handshake
 * (tens of microseconds) and a stack walk per allocation; see {@code CheckedModeBench}.
 *
 * <p>Configured like every wd-mm option: {@code -Dwd.mm.checked=true} (or the environment, a
 * properties file, {@code WdMm.builder().option(...)}); the backends built on the chunk allocator
 * (sva, noiommu, hugepage) and passthrough's block pool (through {@link AllocationTracker}) read
 * it in their provider's {@code open}.
 *
 * @param enabled whether checked mode is on
 * @param quarantineBytes most bytes (requested sizes) held in quarantine, {@code >= 0}
 * @param quarantineCount most allocations held in quarantine, {@code >= 0}; 0 disables the quarantine
 */
public record CheckedMode(boolean enabled, long quarantineBytes, int quarantineCount) {
    /** Default of {@link #quarantineBytes()}: 32 MiB. */
    public static final long DEFAULT_QUARANTINE_BYTES = 32L << 20;

    /** Default of {@link #quarantineCount()}: 1024 allocations. */
    public static final int DEFAULT_QUARANTINE_COUNT = 1024;

    /** Largest {@link #quarantineCount()}: 2^20. */
    public static final int MAX_QUARANTINE_COUNT = 1 << 20;

    /** {@code wd.mm.checked}: checked mode on or off (default false). */
    public static final WdOption<Boolean> CHECKED = WdOption.bool(
            "wd.mm.checked",
            false,
            "checked mode: each allocation gets its own scope (access after free throws IllegalStateException),"
                    + " freed memory is quarantined before reuse, and allocation sites are recorded; slow, for debugging");

    /** {@code wd.mm.checked.quarantine-bytes}: the quarantine's bound in bytes (default 32m). */
    public static final WdOption<Long> QUARANTINE_BYTES = WdOption.size(
            "wd.mm.checked.quarantine-bytes",
            DEFAULT_QUARANTINE_BYTES,
            0,
            1L << 40,
            "checked mode: most bytes of freed allocations kept out of reuse before they are really freed");

    /** {@code wd.mm.checked.quarantine-count}: the quarantine's bound in allocations (default 1024). */
    public static final WdOption<Long> QUARANTINE_COUNT = WdOption.size(
            "wd.mm.checked.quarantine-count",
            DEFAULT_QUARANTINE_COUNT,
            0,
            MAX_QUARANTINE_COUNT,
            "checked mode: most freed allocations kept out of reuse before they are really freed");

    /** Checked mode off (the default). */
    public static final CheckedMode OFF = new CheckedMode(false, DEFAULT_QUARANTINE_BYTES, DEFAULT_QUARANTINE_COUNT);

    /** Checked mode on with the default quarantine. */
    public static final CheckedMode ON = new CheckedMode(true, DEFAULT_QUARANTINE_BYTES, DEFAULT_QUARANTINE_COUNT);

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException if a bound is negative or the count is above
     *     {@link #MAX_QUARANTINE_COUNT}
     */
    public CheckedMode {
        if (quarantineBytes < 0) {
            throw new IllegalArgumentException("quarantineBytes=" + quarantineBytes + " must be >= 0");
        }
        if (quarantineCount < 0 || quarantineCount > MAX_QUARANTINE_COUNT) {
            throw new IllegalArgumentException(
                    "quarantineCount=" + quarantineCount + " must be in [0, " + MAX_QUARANTINE_COUNT + "]");
        }
    }

    /**
     * The mode the options ask for: {@link #CHECKED}, {@link #QUARANTINE_BYTES},
     * {@link #QUARANTINE_COUNT}.
     *
     * @param options a backend's options (every {@code wd.mm.*} entry)
     * @return the mode
     * @throws NullPointerException if {@code options} is null
     * @throws IllegalArgumentException for a value that does not parse, or an unknown
     *     {@code wd.mm.checked.*} name (a misspelt bound is refused, not ignored)
     */
    public static CheckedMode from(WdOptions options) {
        Objects.requireNonNull(options, "options is null");
        options.requireKnown(CHECKED.name() + ".", List.of(QUARANTINE_BYTES, QUARANTINE_COUNT));
        return new CheckedMode(
                options.get(CHECKED), options.get(QUARANTINE_BYTES), (int) (long) options.get(QUARANTINE_COUNT));
    }

    /**
     * The options {@link #from} reads, for a provider's {@code options()} list.
     *
     * @return {@link #CHECKED}, {@link #QUARANTINE_BYTES}, {@link #QUARANTINE_COUNT}
     */
    public static List<WdOption<?>> options() {
        return List.of(CHECKED, QUARANTINE_BYTES, QUARANTINE_COUNT);
    }
}
