package dev.wdmm.memory.sgl;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdPoolStats;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;

/**
 * A pool of SGLs: UADK's {@code wd_sglpool}. At creation it takes from a {@link BlockPool} one
 * block per SGL for the SGL's hardware image and {@code buffersPerSgl} blocks per SGL for its
 * buffers; they stay bound to that SGL for the life of the pool.
 *
 * <p><b>Chaining.</b> {@link #alloc} chains as many SGLs as {@code size} needs, up to the
 * hardware's {@value HwSgl#MAX_SGLS_PER_CHAIN} (UADK v1 stops at two). Every SGL of a chain but
 * the last is full; the last holds the rest, its last entry possibly partial.
 *
 * <p><b>Merge</b> ({@link #merge}) keeps UADK v1's refusals: the two SGLs must be different,
 * from this pool, allocated, and each a single SGL that is neither chained to another nor merged
 * into one ({@code wd_sgl_merge} refuses when either has a {@code next}). The merged source can
 * no longer be freed or used on its own; freeing the destination frees both.
 *
 * <p><b>Thread-safety.</b> All methods may be called from any thread; alloc, free and merge
 * serialize on the pool (as UADK's spinlock does). Failures change nothing.
 */
public interface SglPool extends AutoCloseable {

    /**
     * Creates a pool whose images and buffers are blocks of {@code blocks}.
     *
     * @param blocks the block pool: {@code blockSize >= max(bufferSize, imageBytes)}, alignment
     *     {@code >= setup.alignment()}, at least {@link SglPoolSetup#blocksNeeded()} free blocks
     * @param setup the SGL setup
     * @return the pool; {@link #destroy()} gives the blocks back but does not destroy {@code blocks}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the block pool's block size or alignment is too small
     * @throws dev.wdmm.api.WdAllocationException if it has too few free blocks (nothing is taken)
     */
    static SglPool create(BlockPool blocks, SglPoolSetup setup) {
        return PooledSglPool.create(blocks, setup, false);
    }

    /**
     * Creates a pool over a queue's reserved memory, with a block pool of its own.
     *
     * @param region the reserved region
     * @param setup the SGL setup
     * @return the pool; {@link #destroy()} also destroys its block pool
     * @throws dev.wdmm.api.WdAllocationException if the region cannot hold
     *     {@link SglPoolSetup#blocksNeeded()} blocks
     */
    static SglPool create(WdReservedMemory region, SglPoolSetup setup) {
        return PooledSglPool.create(BlockPool.create(region, blockSetup(setup)), setup, true);
    }

    /**
     * Creates a pool over memory of {@code bridge}, with a block pool of its own.
     *
     * @param bridge where the memory comes from
     * @param setup the SGL setup
     * @return the pool; {@link #destroy()} also destroys its block pool (freeing the memory)
     * @throws dev.wdmm.api.WdAllocationException if the bridge's memory cannot hold the blocks
     */
    static SglPool create(WdMmBridge bridge, SglPoolSetup setup) {
        return PooledSglPool.create(BlockPool.create(bridge, blockSetup(setup)), setup, true);
    }

    private static BlockPoolSetup blockSetup(SglPoolSetup setup) {
        return new BlockPoolSetup(
                Math.max(setup.bufferSize(), setup.imageBytes()), setup.blocksNeeded(), setup.alignment());
    }

    /**
     * Allocates a chain holding {@code size} bytes: UADK's {@code wd_alloc_sgl}.
     *
     * @param size bytes, {@code > 0}, at most {@code min(256, sglCount) * sglBytes}
     * @return the chain, its images written
     * @throws IllegalArgumentException if {@code size} is out of range (it could never be served)
     * @throws dev.wdmm.api.WdAllocationException if too few SGLs are free (the failure counter is bumped)
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    Sgl alloc(long size);

    /**
     * Frees a whole chain: UADK's {@code wd_free_sgl}.
     *
     * @param chain a live chain of this pool (not one merged into another)
     * @throws NullPointerException if {@code chain} is null
     * @throws IllegalArgumentException if it is foreign, already freed or merged into another chain
     */
    void free(Sgl chain);

    /**
     * Appends {@code source} to {@code destination}: UADK's {@code wd_sgl_merge}. See the class
     * comment for the refusals.
     *
     * @param destination a live single SGL of this pool
     * @param source another live single SGL of this pool
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException on a refusal; nothing changes
     */
    void merge(Sgl destination, Sgl source);

    /**
     * SGLs in the pool.
     *
     * @return the count
     */
    int sglCount();

    /**
     * SGLs free now.
     *
     * @return the count
     */
    int freeSgls();

    /**
     * Allocations refused for lack of free SGLs.
     *
     * @return the count
     */
    long allocFailures();

    /**
     * The setup.
     *
     * @return the setup
     */
    SglPoolSetup setup();

    /**
     * Gives the blocks back; refused while chains are allocated. Idempotent once it succeeded.
     *
     * @throws IllegalStateException if chains are out; nothing changes
     */
    void destroy();

    /**
     * A snapshot in UADK v2's {@code wd_mempool_stats} terms ({@link WdPoolStats}), counting whole
     * SGLs: block size = the data bytes one SGL holds ({@link SglPoolSetup#sglBytes()}), blocks =
     * SGLs, free blocks = free SGLs, failures; region bytes = the blocks the pool took from its
     * block pool (images included), so the waste rate counts the hardware images and the blocks'
     * padding.
     *
     * @return the snapshot
     */
    default WdPoolStats stats() {
        SglPoolSetup setup = setup();
        long blockBytes = Math.max(setup.bufferSize(), setup.imageBytes());
        return new WdPoolStats(
                setup.sglBytes(),
                sglCount(),
                Math.clamp(freeSgls(), 0, sglCount()),
                allocFailures(),
                (long) setup.blocksNeeded() * blockBytes);
    }

    /** Same as {@link #destroy()}. */
    @Override
    default void close() {
        destroy();
    }
}
