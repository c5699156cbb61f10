package dev.wdmm.api;

/**
 * A snapshot of a fixed-size pool (a block pool, or an SGL pool's buffers), in the spirit of UADK
 * v2's {@code wd_blockpool_stats}: block size, blocks, free blocks, failures, and the usage and
 * waste rates derived from them. Immutable. Like {@link WdStats}, a snapshot taken while other
 * threads use the pool may be a few operations old.
 *
 * @param blockSize bytes per block
 * @param blocks blocks the pool holds
 * @param freeBlocks blocks free now
 * @param allocFailures allocations refused because nothing was free, since creation
 * @param regionBytes bytes of memory the blocks were carved from (alignment, padding between
 *     blocks and blocks skipped at slice boundaries included)
 */
public record WdPoolStats(long blockSize, long blocks, long freeBlocks, long allocFailures, long regionBytes) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a value is negative, {@code freeBlocks > blocks}, or the
     *     blocks do not fit in {@code regionBytes}
     */
    public WdPoolStats {
        if (blockSize < 0 || blocks < 0 || freeBlocks < 0 || allocFailures < 0 || regionBytes < 0) {
            throw new IllegalArgumentException("blockSize=" + blockSize + " blocks=" + blocks + " freeBlocks="
                    + freeBlocks + " allocFailures=" + allocFailures + " regionBytes=" + regionBytes
                    + " must all be >= 0");
        }
        if (freeBlocks > blocks || Math.multiplyHigh(blockSize, blocks) != 0 || blockSize * blocks > regionBytes) {
            throw new IllegalArgumentException("freeBlocks=" + freeBlocks + " blocks=" + blocks + " blockSize="
                    + blockSize + " regionBytes=" + regionBytes
                    + " must have freeBlocks <= blocks and blocks * blockSize <= regionBytes");
        }
    }

    /**
     * Blocks in use now.
     *
     * @return {@code blocks - freeBlocks}
     */
    public long usedBlocks() {
        return blocks - freeBlocks;
    }

    /**
     * The share of blocks in use, UADK's {@code block_usage_rate}, as a fraction in {@code [0, 1]}.
     *
     * @return {@code usedBlocks / blocks}, 0 for a pool without blocks
     */
    public double usageRate() {
        return blocks == 0 ? 0 : (double) usedBlocks() / blocks;
    }

    /**
     * The share of the region that no block can ever use (alignment, padding, skipped blocks),
     * UADK's {@code mem_waste_rate}, as a fraction in {@code [0, 1]}.
     *
     * @return {@code (regionBytes - blocks * blockSize) / regionBytes}, 0 for an empty region
     */
    public double wasteRate() {
        return regionBytes == 0 ? 0 : (double) (regionBytes - blocks * blockSize) / regionBytes;
    }

    /**
     * {@code block-size=4096 blocks=8 free-blocks=6 alloc-failures=0 region-bytes=36864 usage=25.0% waste=11.1%}.
     *
     * @return one line of {@code key=value} pairs
     */
    @Override
    public String toString() {
        return "block-size=" + blockSize + " blocks=" + blocks + " free-blocks=" + freeBlocks + " alloc-failures="
                + allocFailures + " region-bytes=" + regionBytes + " usage="
                + String.format(java.util.Locale.ROOT, "%.1f%%", usageRate() * 100) + " waste="
                + String.format(java.util.Locale.ROOT, "%.1f%%", wasteRate() * 100);
    }
}
