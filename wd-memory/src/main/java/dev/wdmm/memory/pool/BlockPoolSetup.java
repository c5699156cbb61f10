package dev.wdmm.memory.pool;

/**
 * The setup of a {@link BlockPool}: UADK's {@code struct wd_blkpool_setup}. Immutable; the
 * constructor enforces UADK v1's rules so a bad setup never reaches a pool.
 *
 * @param blockSize bytes per block: {@code 0 < blockSize <= 256 MiB}
 * @param blockCount blocks requested: {@code 0 < blockCount <= 2^30}
 * @param alignment alignment of every block's start: a power of two, {@code 2 <= alignment <= 4096}
 */
public record BlockPoolSetup(long blockSize, long blockCount, long alignment) {
    /** UADK's largest block: 256 MiB. */
    public static final long MAX_BLOCK_SIZE = 256L << 20;
    /** The largest block count this pool supports (block indices are {@code int}). */
    public static final long MAX_BLOCK_COUNT = 1L << 30;
    /** UADK's largest alignment: 4 KiB. */
    public static final long MAX_ALIGNMENT = 4096;

    /**
     * Checks the setup.
     *
     * @throws IllegalArgumentException naming the first bad value and its rule
     */
    public BlockPoolSetup {
        if (blockSize <= 0 || blockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("blockSize=" + blockSize + " must be > 0 and <= " + MAX_BLOCK_SIZE);
        }
        if (blockCount <= 0 || blockCount > MAX_BLOCK_COUNT) {
            throw new IllegalArgumentException("blockCount=" + blockCount + " must be > 0 and <= " + MAX_BLOCK_COUNT);
        }
        if (alignment < 2 || alignment > MAX_ALIGNMENT || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException(
                    "alignment=" + alignment + " must be a power of two, >= 2 and <= " + MAX_ALIGNMENT);
        }
    }

    /**
     * Distance between the starts of neighbouring blocks: the block size rounded up to the
     * alignment.
     *
     * @return bytes
     */
    public long stride() {
        return (blockSize + alignment - 1) & -alignment;
    }

    /**
     * UADK v1's acceptance rule ({@code wd_pool_init}): a pool is created only if the blocks
     * obtained are strictly more than {@code floor(87 * blockCount / 100)}; otherwise creation
     * fails. (UADK computes this in 32-bit unsigned arithmetic; here in 64-bit, so it does not
     * overflow for large counts.)
     *
     * @param obtained blocks that fit
     * @return whether that is enough
     */
    public boolean accepts(long obtained) {
        return obtained > minimumExclusive();
    }

    /**
     * The count that {@link #accepts} must exceed: {@code floor(87 * blockCount / 100)}.
     *
     * @return blocks
     */
    public long minimumExclusive() {
        return 87 * blockCount / 100;
    }
}
