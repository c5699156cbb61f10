package dev.wdmm.memory.pool;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.MemorySegment;

/**
 * Fixed-size DMA blocks carved from one region: UADK's {@code wd_bmm} block pool, made to scale.
 *
 * <p><b>Layout.</b> Candidate blocks start at the region's first address aligned to
 * {@link BlockPoolSetup#alignment()} and follow each other at {@link BlockPoolSetup#stride()}.
 * A candidate that would straddle two slices that are not DMA-adjacent (or, for a bridge, that
 * the bridge cannot map as one range) is skipped. Candidates are taken until
 * {@link BlockPoolSetup#blockCount()} blocks are kept or the region ends. Creation then fails
 * unless more than {@code floor(87 * requested / 100)} blocks were kept (UADK v1's rule, see
 * {@link BlockPoolSetup#accepts}); {@link #blockCount()} reports the count obtained.
 *
 * <p><b>Two APIs.</b> {@link #alloc()} / {@link #free(MemorySegment)} hand out segments, which
 * are objects (a few dozen bytes of garbage per alloc). {@link #allocAddress()} /
 * {@link #freeAddress(long)} / {@link #iovaMap(long)} work on raw addresses and allocate no Java
 * memory on success: use them on hot paths.
 *
 * <p><b>Thread-safety.</b> All methods may be called from any number of threads. Threads map
 * to stripes by thread id (twice as many stripes as processors, at most 64); each stripe caches
 * up to 64 free blocks behind a spin lock that is uncontended unless two running threads share a
 * stripe, and refills from or spills to a lock-free global stack 32 blocks at a time. So there
 * is no global lock on the hot path (UADK takes one spinlock per call), and no Java allocation.
 * A free changes the block's state word with one compare-and-set, so a double free racing
 * from two threads fails exactly once. An alloc that finds its stripe and the global stack empty
 * takes a block from any other stripe: unlike DPDK's per-lcore caches, an alloc fails only when
 * no block is free anywhere (frees racing with it aside). A block freed by one thread may be
 * allocated by another. {@link #destroy()} while other threads still use the pool is a caller
 * error; their calls then fail with {@link dev.wdmm.api.WdClosedException}.
 *
 * <p><b>Bad input.</b> Null, foreign, padding, skipped, already-freed or free addresses are
 * refused with {@link dev.wdmm.api.WdOwnershipException} (or {@link IllegalArgumentException}
 * for sizes) and change nothing. After {@link #destroy()} every method except the counters throws
 * {@link dev.wdmm.api.WdClosedException}.
 */
public interface BlockPool extends AutoCloseable {
    /** What {@link #allocAddress()} returns when no block is free. */
    long NO_BLOCK = 0L;

    /**
     * Creates a pool over a queue's reserved memory (UADK's {@code wd_blkpool_create(q, …)}
     * without a user bridge). Block IOVAs come from the slice table. The region stays the
     * caller's: {@link #destroy()} does not release it.
     *
     * @param region the reserved region
     * @param setup block size, count and alignment
     * @return the pool
     * @throws NullPointerException if an argument is null
     * @throws dev.wdmm.api.WdAllocationException if too few blocks fit (the message gives
     *     obtained and requested counts and the rule)
     */
    static BlockPool create(WdReservedMemory region, BlockPoolSetup setup) {
        return StripedBlockPool.fromRegion(region, setup);
    }

    /**
     * Creates a pool whose region is allocated from {@code bridge} ({@code alignment - 1 +
     * stride * blockCount} bytes); block IOVAs come from {@link WdMmBridge#iovaMap}. A block the
     * bridge refuses to map with a {@link dev.wdmm.api.WdMappingException} is skipped, and the
     * 87% rule applies. {@link #destroy()} frees the region through the bridge.
     *
     * @param bridge where the region comes from
     * @param setup block size, count and alignment
     * @return the pool
     * @throws NullPointerException if an argument is null
     * @throws dev.wdmm.api.WdAllocationException if the bridge cannot supply the region or too
     *     few blocks map (the region is then freed again)
     */
    static BlockPool create(WdMmBridge bridge, BlockPoolSetup setup) {
        return StripedBlockPool.fromBridge(bridge, setup);
    }

    /**
     * Takes a free block.
     *
     * @return a segment of exactly {@link #blockSize()} bytes
     * @throws dev.wdmm.api.WdAllocationException if none is free (the failure counter is bumped)
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    MemorySegment alloc();

    /**
     * Takes a free block without allocating Java memory.
     *
     * @return the block's start address, or {@link #NO_BLOCK} if none is free (the failure
     *     counter is bumped)
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    long allocAddress();

    /**
     * Returns a block.
     *
     * @param block a segment whose address lies anywhere inside an allocated block
     * @throws NullPointerException if {@code block} is null
     * @throws dev.wdmm.api.WdOwnershipException if the address is not inside an allocated block
     */
    void free(MemorySegment block);

    /**
     * Returns a block by any address inside it, without allocating Java memory.
     *
     * @param address anywhere inside an allocated block
     * @throws dev.wdmm.api.WdOwnershipException if the address is not inside an allocated block
     */
    void freeAddress(long address);

    /**
     * The IOVA of an address inside an allocated block: block IOVA + offset. Allocation-free.
     *
     * @param address anywhere inside an allocated block
     * @return its device address
     * @throws dev.wdmm.api.WdOwnershipException if the address is not inside an allocated block
     *     (mapping a free block fails)
     */
    long iovaMap(long address);

    /**
     * The IOVA of {@code [address, address + size)}, which must lie inside one allocated block.
     *
     * @param address start of the range
     * @param size bytes, {@code > 0}
     * @return the device address of {@code address}
     * @throws IllegalArgumentException if {@code size <= 0} or the range leaves the block
     * @throws dev.wdmm.api.WdOwnershipException if {@code address} is not inside an allocated block
     */
    long iovaMap(long address, long size);

    /**
     * Validates an unmap (UADK's {@code wd_blk_iova_unmap} does nothing; there is nothing to
     * undo without an IOMMU mapping).
     *
     * @param address start of the mapped range
     * @param iova what {@link #iovaMap(long, long)} returned
     * @param size the mapped size
     * @throws IllegalArgumentException if {@code iova} is not the range's IOVA
     */
    void iovaUnmap(long address, long iova, long size);

    /**
     * Bytes per block.
     *
     * @return the block size
     */
    long blockSize();

    /**
     * Blocks obtained at creation (at most the requested count).
     *
     * @return the count
     */
    int blockCount();

    /**
     * Free blocks now. Exact when no alloc or free is in flight; a racing reader may see a value
     * a few operations old.
     *
     * @return the count
     */
    int freeBlocks();

    /**
     * Allocations that failed because no block was free, since creation.
     *
     * @return the count
     */
    long allocFailures();

    /**
     * The setup the pool was created with.
     *
     * @return the setup
     */
    BlockPoolSetup setup();

    /**
     * The whole region blocks are carved from.
     *
     * @return the region's segment
     */
    MemorySegment region();

    /**
     * Destroys the pool: refused while any block is allocated. Idempotent once it succeeded.
     *
     * @throws IllegalStateException if blocks are outstanding (the message gives the count);
     *     the pool is unchanged
     */
    void destroy();

    /** Same as {@link #destroy()}. */
    @Override
    default void close() {
        destroy();
    }
}
