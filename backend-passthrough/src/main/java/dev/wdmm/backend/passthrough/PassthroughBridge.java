package dev.wdmm.backend.passthrough;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocRequest;
import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdConstrainedAlloc;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.alloc.AllocationTracker;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.alloc.ConstrainedAllocations;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.alloc.MapRecords;
import dev.wdmm.memory.events.WdEvents;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;
import dev.wdmm.spi.WdArguments;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bridge whose memory is a {@link BlockPool} over a reserved region. An allocation of {@code
 * size <= blockSize} bytes takes one block; a larger one takes a run of adjacent blocks whose
 * whole range is DMA-contiguous (the pool checks it; O(blocks), see {@link BlockPool}), up to
 * {@link BlockPool#maxAllocSize()}. Either way the allocation starts at its first block's start
 * and its IOVA is that block's IOVA plus the offset. Each block position of the pool's layout (the
 * region's first aligned address, then one every {@code stride}) has a size word: {@code 0} never
 * allocated, {@code FREED} freed, else the size allocated starting there, so that frees and maps
 * are checked against the allocated size, not only the block, in O(1) and without Java garbage;
 * an address in a run's later blocks finds its start through {@link BlockPool#allocationStart}.
 * Thread-safe: the pool is, and a size word changes from live to {@code FREED} by one
 * compare-and-set, so of two racing frees exactly one wins; {@link #close()} is idempotent and a
 * caller error while other threads still use the bridge.
 *
 * <p><b>Lifetime:</b> a segment is a slice of the region: after close (the region released) any
 * access throws {@link IllegalStateException}; after {@code free} its block stays in the region,
 * so access reaches memory the bridge owns. In checked mode ({@code wd.mm.checked=true},
 * {@link CheckedMode}) an {@link AllocationTracker} gives each allocation a scope of its own that
 * {@code free} closes, keeps freed blocks out of the pool for a while (their size word stays
 * {@code FREED}, so frees and maps of them are refused as before) and records allocation sites.
 */
final class PassthroughBridge implements WdMmBridge, WdConstrainedAlloc {
    /** Checked mode: tries after a drain found the quarantine empty (another thread's drain may be under way). */
    private static final int SHORTAGE_RETRIES = 16;

    private final BlockPool pool;
    private final WdReservedMemory region;
    private final WdRegionSource owner;
    private static final long FREED = -1;
    private static final String OWNER = "passthrough bridge";

    private final AtomicLongArray sizes;
    /** Outstanding maps of the allocation starting at each position ({@link MapRecords}). */
    private final long[] maps;
    /** Checked mode's tracker; null in fast mode. */
    private final AllocationTracker checks;

    private final long base;
    private final long stride;
    private final PassthroughLookup lookup;
    private final BlockLimit limit;
    private final PassthroughCloser closer;
    private final LeakReports.Watch watch;

    /** Constrained allocations ({@link WdConstrainedAlloc}) over this bridge. */
    private WdConstrainedAlloc constrained;

    private PassthroughBridge(
            BlockPool pool,
            BlockPoolSetup setup,
            WdReservedMemory region,
            WdRegionSource owner,
            CheckedMode checked,
            long limitBytes) {
        this.pool = pool;
        this.checks = checked.enabled()
                ? AllocationTracker.create("passthrough bridge", checked, pool::freeAddress, PassthroughBridge.class)
                : null;
        this.region = region;
        this.owner = owner;
        long start = region.segment().address();
        this.base = (start + setup.alignment() - 1) & -setup.alignment();
        this.stride = setup.stride();
        long span = start + region.segment().byteSize() - base;
        this.sizes = new AtomicLongArray(Math.toIntExact(Math.max(0, span / stride + 1)));
        this.lookup = new PassthroughLookup(this, region);
        this.maps = new long[sizes.length()];
        this.limit = new BlockLimit(OWNER, limitBytes, pool.blockSize(), stride);
        this.closer = new PassthroughCloser(OWNER, pool, checks, sizes, base, stride, region, owner);
        this.watch = LeakReports.watch(this, OWNER, closer);
    }

    /** A bridge over a region it reserves from {@code source} and releases on close, in fast or checked mode. */
    static PassthroughBridge reserve(WdRegionSource source, BlockPoolSetup setup, CheckedMode checked) {
        return reserve(source, setup, checked, WdStats.NO_LIMIT);
    }

    /** As {@link #reserve(WdRegionSource, BlockPoolSetup, CheckedMode)}, with a limit on the bytes of blocks allocated. */
    static PassthroughBridge reserve(
            WdRegionSource source, BlockPoolSetup setup, CheckedMode checked, long limitBytes) {
        long bytes = setup.alignment() - 1 + Math.multiplyExact(setup.stride(), setup.blockCount());
        WdReservedMemory region = source.reserve(bytes);
        try {
            return new PassthroughBridge(BlockPool.create(region, setup), setup, region, source, checked, limitBytes);
        } catch (RuntimeException | Error e) {
            source.release(region);
            throw e;
        }
    }

    /** A bridge over a region someone else owns (a queue's reserved memory); close keeps it. */
    static PassthroughBridge over(WdReservedMemory region, BlockPoolSetup setup) {
        return new PassthroughBridge(
                BlockPool.create(region, setup), setup, region, null, CheckedMode.OFF, WdStats.NO_LIMIT);
    }

    @Override
    @SuppressWarnings("restricted") // the segment spans the block just allocated, within the pinned region
    public MemorySegment alloc(long size) {
        checkOpen();
        WdArguments.requirePositive("size", size);
        if (size > pool.maxAllocSize()) {
            throw new IllegalArgumentException("size=" + size + " must be <= maxAllocSize=" + pool.maxAllocSize()
                    + ", the longest run of adjacent DMA-contiguous blocks (maxRunBlocks=" + pool.maxRunBlocks()
                    + " blockSize=" + pool.blockSize() + "); raise " + PassthroughBackendProvider.BLOCK_SIZE.name()
                    + " or " + PassthroughBackendProvider.BLOCK_COUNT.name() + ")");
        }
        limit.reserve(size);
        long address;
        try {
            address = takeBlocks(size);
        } catch (RuntimeException e) {
            limit.unreserve(size);
            throw e;
        }
        if (address == BlockPool.NO_BLOCK) {
            limit.unreserve(size);
            WdEvents.allocationFailure(OWNER, size, "pool");
            throw new WdAllocationException(
                    size,
                    "size=" + size + ": all " + pool.blockCount()
                            + " blocks of blockSize=" + pool.blockSize() + " are allocated (allocFailures="
                            + pool.allocFailures() + "; raise " + PassthroughBackendProvider.BLOCK_COUNT.name() + ")");
        }
        int position = position(address);
        maps[position] = 0; // published by the volatile store of the size
        sizes.set(position, size);
        if (closer.closed) {
            // close ran meanwhile and released the region (the block with it): the caller must not get it
            throw closedException();
        }
        if (checks != null) {
            return checks.trackSegment(address, size);
        }
        // a slice of the region: once the region is released its scope is closed, and any access throws
        return region.segment().asSlice(address - region.segment().address(), size);
    }

    /**
     * One block, or a run of blocks for {@code size > blockSize}; {@link BlockPool#NO_BLOCK} when no
     * block is free. In checked mode a shortage first gives the quarantined blocks back to the
     * pool and tries again; since another thread may be giving them back at that moment (its
     * drain emptied the quarantine this thread found empty), it tries a few more times before it
     * reports the shortage.
     */
    private long takeBlocks(long size) {
        boolean run = size > pool.blockSize();
        if (checks == null) {
            return run ? allocRun(size) : pool.allocAddress();
        }
        for (int attempt = 0; ; attempt++) {
            try {
                long address = run ? allocRun(size) : pool.allocAddress();
                if (address != BlockPool.NO_BLOCK || (checks.drain() == 0 && attempt >= SHORTAGE_RETRIES)) {
                    return address;
                }
            } catch (WdAllocationException e) {
                if (checks.drain() == 0 && attempt >= SHORTAGE_RETRIES) {
                    throw e;
                }
            }
            Thread.onSpinWait();
        }
    }

    /** A run of adjacent blocks for {@code size > blockSize}: the pool explains a failure. */
    private long allocRun(long size) {
        try {
            return pool.alloc(size).address();
        } catch (WdAllocationException e) {
            throw new WdAllocationException(
                    size,
                    e.getMessage() + " (passthrough: raise " + PassthroughBackendProvider.BLOCK_COUNT.name() + ")",
                    e);
        }
    }

    /**
     * Allocates memory meeting {@code request}'s constraints, checked against this bridge's IOVAs
     * ({@link ConstrainedAllocations}); freed with {@link #free}.
     */
    @Override
    public MemorySegment alloc(WdAllocRequest request) {
        WdConstrainedAlloc c = constrained;
        if (c == null) {
            c = ConstrainedAllocations.over(this, Long.lowestOneBit(base), "passthrough");
            constrained = c;
        }
        return c.alloc(request);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        long address = segment.address();
        int position = positionOrRefuse("free", address);
        long size = sizes.get(position);
        if (size <= 0 || address != blockStart(position) || !sizes.compareAndSet(position, size, FREED)) {
            checkOpen(); // a close racing this free took the size word first: closed, not an ownership error
            throw refusal("free", address, 1);
        }
        limit.unreserve(size);
        if (checks == null) {
            pool.freeAddress(address);
            return;
        }
        try {
            checks.retire(address); // closes its scope; the quarantine gives the block back to the pool later
        } catch (IllegalStateException inUse) {
            limit.reserveUnchecked(size);
            sizes.set(position, size); // in use by a native call: nothing changes
            throw inUse;
        }
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        long address = segment.address();
        long start = requireLive("map", address, size);
        long iova = pool.iovaMap(address, size);
        MapRecords.map(maps, position(start), address - start, size);
        return iova;
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        long address = segment.address();
        long start = requireLive("unmap", address, size);
        long expected = pool.iovaMap(address, size);
        if (iova != expected) {
            throw new IllegalArgumentException("iova=" + hex(iova) + " must be " + hex(expected) + ", the IOVA of va="
                    + hex(address) + " size=" + size);
        }
        MapRecords.unmap(maps, position(start), start, address - start, size, "passthrough bridge");
    }

    /** Offers {@link WdIovaLookup} (IOVA to address over the region, live allocations only). */
    @Override
    public <T> java.util.Optional<T> unwrap(Class<T> capability) {
        java.util.Optional<T> own = WdMmBridge.super.unwrap(capability);
        return own.isPresent() || capability != WdIovaLookup.class
                ? own
                : java.util.Optional.of(capability.cast(lookup));
    }

    /** The end of the live allocation holding {@code address} (inside the region), or {@code address}. */
    long liveEnd(long address) {
        long start = liveStart(address);
        return start == BlockPool.NO_BLOCK ? address : start + sizes.get(position(start));
    }

    /** Blocks allocated now (single blocks and the blocks of runs), for tests. */
    long allocatedBlocks() {
        return pool.blockCount() - pool.freeBlocks();
    }

    /** Checked mode's tracker, for tests (sites, quarantine); empty in fast mode. */
    java.util.Optional<AllocationTracker> checks() {
        return java.util.Optional.ofNullable(checks);
    }

    /**
     * The pool's unit, the block size (UADK's {@code get_bufsize}): every allocation of up to this
     * many bytes takes one block in O(1). Larger allocations, up to the pool's {@code
     * maxAllocSize}, take a run of adjacent blocks (O(blocks)) and occupy {@code ceil} of their
     * size in blocks, so a caller sizing its buffers to this value never pays for a run.
     */
    @Override
    public OptionalLong bufferSize() {
        return OptionalLong.of(pool.blockSize());
    }

    /**
     * Frees every block and run still allocated, destroys the pool and, if this bridge reserved
     * the region, releases it; reports what was still allocated ({@link LeakReports}). Never throws
     * because of allocations outstanding or calls racing it (they get {@link WdClosedException}).
     * Idempotent.
     */
    @Override
    public void close() {
        watch.close();
    }

    /**
     * Live figures from the size words (a scan of {@code O(blocks)}, no counter on the hot path),
     * the pool's counters, the region as memory held (by slice size).
     */
    @Override
    public WdStats stats() {
        boolean open = !closer.closed;
        long live = 0;
        long bytes = 0;
        for (int position = 0; open && position < sizes.length(); position++) {
            long size = sizes.get(position);
            if (size > 0) {
                live++;
                bytes += size;
            }
        }
        java.util.TreeMap<Long, Long> bySize = new java.util.TreeMap<>();
        long regionBytes = region.segment().byteSize();
        if (open) {
            region.slices().forEach(slice -> bySize.merge(slice.size(), 1L, Long::sum));
        }
        return new WdStats(
                OWNER,
                true,
                live,
                bytes,
                pool.totalAllocations(),
                pool.allocFailures() + limit.refusals(),
                open ? regionBytes : 0,
                regionBytes,
                bySize,
                limit.bytes(),
                0,
                0,
                pool.stats());
    }

    private long blockStart(int position) {
        return base + position * stride;
    }

    private int position(long address) {
        return (int) ((address - base) / stride);
    }

    private int positionOrRefuse(String operation, long address) {
        long offset = address - base;
        if (offset < 0 || offset / stride >= sizes.length()) {
            throw new WdOwnershipException(
                    address,
                    Reason.FOREIGN,
                    operation + " va=" + hex(address)
                            + " is not memory of this passthrough bridge (region va="
                            + hex(region.segment().address())
                            + " size=" + region.segment().byteSize() + ")");
        }
        return (int) (offset / stride);
    }

    /** The start of the live allocation holding all of {@code [address, address + size)}, or the refusal. */
    private long requireLive(String operation, long address, long size) {
        positionOrRefuse(operation, address);
        long start = liveStart(address);
        if (start == BlockPool.NO_BLOCK || size > sizes.get(position(start)) - (address - start)) {
            checkOpen();
            throw refusal(operation, address, size);
        }
        return start;
    }

    /**
     * The start of the live allocation whose requested bytes hold {@code address}, or {@code
     * NO_BLOCK}: the size word at the address's own position first (O(1), the common case), else
     * the start of the pool's run holding it.
     */
    long liveStart(long address) {
        if (Long.compareUnsigned(address - base, (long) sizes.length() * stride) >= 0) {
            return BlockPool.NO_BLOCK;
        }
        int position = position(address);
        long start = blockStart(position);
        long allocated = sizes.get(position);
        if (allocated > 0 && address - start < allocated) {
            return start;
        }
        if (pool.maxRunBlocks() == 1) {
            return BlockPool.NO_BLOCK;
        }
        start = pool.allocationStart(address);
        if (start == BlockPool.NO_BLOCK) {
            return start;
        }
        allocated = sizes.get(position(start));
        return allocated > 0 && address - start < allocated ? start : BlockPool.NO_BLOCK;
    }

    /** The refusal for an address that is not the start (free) or inside (map) of a live allocation. */
    private WdOwnershipException refusal(String operation, long address, long size) {
        long live = liveStart(address);
        long start = live != BlockPool.NO_BLOCK ? live : blockStart(position(address));
        long allocated = sizes.get(position(start));
        long offset = address - start;
        if (live != BlockPool.NO_BLOCK) {
            if (!operation.equals("free")) {
                return new WdOwnershipException(
                        address,
                        Reason.FOREIGN,
                        operation + " va=" + hex(address) + " size=" + size + " runs past the end of allocation va="
                                + hex(start) + " size=" + allocated);
            }
            if (offset > 0) {
                return new WdOwnershipException(
                        address,
                        Reason.INTERIOR,
                        "free va=" + hex(address) + " is interior to allocation va=" + hex(start) + " size=" + allocated
                                + "; pass the start address");
            }
            // offset 0 and live again: another thread freed it first and it was allocated anew
            return new WdOwnershipException(
                    address, Reason.ALREADY_FREED, "free va=" + hex(address) + " was freed by another thread first");
        }
        if (allocated == FREED && offset == 0) {
            return new WdOwnershipException(
                    address,
                    Reason.ALREADY_FREED,
                    operation + " va=" + hex(address) + " was already freed by this passthrough bridge");
        }
        return new WdOwnershipException(
                address,
                Reason.FOREIGN,
                operation + " va=" + hex(address) + " size=" + size
                        + " is not a live allocation of this passthrough bridge");
    }

    void checkOpen() {
        if (closer.closed) {
            throw closedException();
        }
        if (owner == null && !region.segment().scope().isAlive()) {
            // a queue's region, released with the queue: hand out no address in unmapped memory
            throw new WdClosedException("passthrough bridge over region va="
                    + hex(region.segment().address())
                    + " size=" + region.segment().byteSize() + " refused: the region was released (its queue was"
                    + " closed); a bridge over a queue's reserved memory lives no longer than the queue");
        }
    }

    private WdClosedException closedException() {
        return new WdClosedException(
                "passthrough bridge over region va=" + hex(region.segment().address()) + " is closed");
    }

    @Override
    public String toString() {
        return "passthrough bridge (" + (checks != null ? "checked, " : "") + "blockSize=" + pool.blockSize()
                + ", blocks=" + pool.blockCount() + ", free="
                + pool.freeBlocks() + ", region va=" + hex(region.segment().address()) + ", slices="
                + region.slices().size() + ")";
    }
}
