package dev.wdmm.memory.pool;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdPoolStats;
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
 * <p><b>Runs: allocations larger than a block.</b> {@link #alloc(long)} and
 * {@link #allocAddress(long)} serve {@code size > blockSize} from a <i>run</i> of {@code k}
 * adjacent blocks (UADK v2's {@code wd_mem_alloc}): blocks at consecutive candidate positions
 * (no skipped candidate between them) whose whole range, padding between blocks included, is one
 * DMA-contiguous range. That is checked once at creation against the slice table (every slice
 * boundary inside the range must be DMA-adjacent), or for a bridge by mapping each pair of
 * neighbouring blocks as one range and comparing the IOVA; UADK compares only the first and last
 * block's addresses. A run of {@code k} blocks has {@code (k - 1) * stride + blockSize} usable
 * bytes, so {@code k = 1 + ceil((size - blockSize) / stride)}; the largest run the layout can
 * ever give is {@link #maxRunBlocks()} ({@link #maxAllocSize()} bytes). A run is freed as one by
 * its start address; any other address inside it is refused as
 * {@link dev.wdmm.api.WdOwnershipException.Reason#INTERIOR}; every address inside it maps to one
 * IOVA range ({@code iova(start) + offset}). <b>Cost:</b> a run allocation is O(blocks) — it
 * finds the lowest run of {@code k} free, joined blocks in a scan, like UADK's bitmap scan — and
 * holds every stripe's lock meanwhile, so single-block calls on other threads wait for it (they
 * never fail because of it); run allocations and run frees are serialised with each other. A run
 * free is O(k) and takes no stripe lock. The single-block path takes no new lock and does no new
 * work.
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
     * Takes {@code size} bytes: one block if {@code size <= blockSize}, else a run of adjacent
     * blocks (see the class comment; O(blocks) for a run).
     *
     * @param size bytes, {@code 0 < size <= }{@link #maxAllocSize()}
     * @return a segment of exactly {@code size} bytes at the start of the block or run
     * @throws IllegalArgumentException if {@code size <= 0} or {@code size > maxAllocSize()}: no run
     *     that long can ever exist (the message gives the blocks needed and {@code maxRunBlocks})
     * @throws dev.wdmm.api.WdAllocationException if no block is free, or no run of the needed
     *     length is free (the message gives the blocks needed, {@code freeBlocks} and the longest
     *     run of adjacent free blocks seen; the failure counter is bumped)
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    MemorySegment alloc(long size);

    /**
     * Takes {@code size} bytes without allocating Java memory: one block if {@code size <=
     * blockSize} (as {@link #allocAddress()}), else a run of adjacent blocks (O(blocks)).
     *
     * @param size bytes, {@code 0 < size <= }{@link #maxAllocSize()}
     * @return the start address, or {@link #NO_BLOCK} if no block or no run of the needed length is
     *     free (the failure counter is bumped)
     * @throws IllegalArgumentException if {@code size <= 0} or {@code size > maxAllocSize()}
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    long allocAddress(long size);

    /**
     * Takes a free block without allocating Java memory.
     *
     * @return the block's start address, or {@link #NO_BLOCK} if none is free (the failure
     *     counter is bumped)
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    long allocAddress();

    /**
     * Returns a block or a run.
     *
     * @param block a segment whose address lies anywhere inside an allocated block, or is the
     *     start of a run
     * @throws NullPointerException if {@code block} is null
     * @throws dev.wdmm.api.WdOwnershipException as {@link #freeAddress(long)}
     */
    void free(MemorySegment block);

    /**
     * Returns a block by any address inside it, or a run (all its blocks) by its start address,
     * without allocating Java memory. Of two racing frees of one allocation exactly one succeeds.
     *
     * @param address anywhere inside an allocated single block, or the start of a run
     * @throws dev.wdmm.api.WdOwnershipException if the address is inside a run but not its start
     *     ({@code INTERIOR}), or not inside an allocation ({@code FOREIGN}, {@code ALREADY_FREED})
     */
    void freeAddress(long address);

    /**
     * The IOVA of an address inside an allocated block or run: its IOVA + offset. Allocation-free.
     *
     * @param address anywhere inside an allocated block or run (a run's padding between blocks
     *     included)
     * @return its device address
     * @throws dev.wdmm.api.WdOwnershipException if the address is not inside an allocation
     *     (mapping a free block fails)
     */
    long iovaMap(long address);

    /**
     * The IOVA of {@code [address, address + size)}, which must lie inside one allocated block or
     * run: one DMA-contiguous range.
     *
     * @param address start of the range
     * @param size bytes, {@code > 0}
     * @return the device address of {@code address}
     * @throws IllegalArgumentException if {@code size <= 0} or the range leaves the block or run
     * @throws dev.wdmm.api.WdOwnershipException if {@code address} is not inside an allocation
     */
    long iovaMap(long address, long size);

    /**
     * The start of the live allocation (single block or run) whose usable bytes hold {@code
     * address}. Allocation-free, O(1); a racing free may make the answer stale at once.
     *
     * @param address any address
     * @return the allocation's start address, or {@link #NO_BLOCK} if no live allocation holds it
     * @throws dev.wdmm.api.WdClosedException after destroy
     */
    long allocationStart(long address);

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
     * The longest run of adjacent, DMA-contiguous blocks the layout can ever give (1 if no two
     * neighbouring blocks are DMA-contiguous). Fixed at creation.
     *
     * @return blocks, {@code >= 1}
     */
    int maxRunBlocks();

    /**
     * The largest size {@link #alloc(long)} can ever serve: {@code (maxRunBlocks() - 1) * stride +
     * blockSize}.
     *
     * @return bytes
     */
    long maxAllocSize();

    /**
     * Blocks obtained at creation (at most the requested count).
     *
     * @return the count
     */
    int blockCount();

    /**
     * Free blocks now (a run's blocks count as allocated). Exact when no alloc or free is in
     * flight; a racing reader may see a value a few operations old.
     *
     * @return the count
     */
    int freeBlocks();

    /**
     * Allocations that failed because no block (or, for a run, no run of the needed length) was
     * free, since creation.
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
     * Allocations made since creation (single blocks and runs). Read without a lock: a racing
     * reader may see a value a few operations old.
     *
     * @return the count
     */
    long totalAllocations();

    /**
     * A snapshot of the pool's figures, UADK v2's {@code wd_blockpool_stats}: block size, blocks,
     * free blocks, failures, and the usage and waste rates ({@link WdPoolStats}).
     *
     * @return the snapshot; after destroy, the figures at the moment it was destroyed
     */
    default WdPoolStats stats() {
        int blocks = blockCount();
        return new WdPoolStats(
                blockSize(), blocks, Math.clamp(freeBlocks(), 0, blocks), allocFailures(), region().byteSize());
    }

    /**
     * Destroys the pool whatever is still allocated, for an owner that releases the region anyway
     * (a bridge's close): every later call fails with {@link dev.wdmm.api.WdClosedException}.
     * Never throws for outstanding blocks; idempotent.
     *
     * @return blocks still allocated at that moment (0 if already destroyed)
     */
    int destroyForcibly();

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
