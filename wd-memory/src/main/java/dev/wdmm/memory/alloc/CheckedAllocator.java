package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdStats;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * The checked mode of a {@link ChunkAllocator} ({@link CheckedMode}): a layer over the fast
 * allocator, chosen at {@link ChunkAllocator#open}, that leaves the fast allocator untouched. An
 * {@link AllocationTracker} tracks each allocation with its site; a segment handed out has a scope
 * of its own, closed by {@code free}; freed allocations wait in its quarantine (still allocated
 * below) before the fast allocator really frees them. This layer never reads or writes the memory.
 *
 * <p>Thread-safe (see {@link AllocationTracker}). {@link #close()} closes every live scope before
 * the fast allocator releases a chunk.
 */
final class CheckedAllocator implements ChunkAllocator {
    private final ChunkAllocator inner;
    private final String owner;
    private final AllocationTracker tracker;

    private volatile boolean closed;

    private CheckedAllocator(ChunkAllocator inner, String owner, CheckedMode mode) {
        this.inner = inner;
        this.owner = owner;
        this.tracker = AllocationTracker.create(owner, mode, inner::freeAddress, CheckedAllocator.class);
    }

    /**
     * Wraps a fast allocator, which this one then owns (it closes it).
     *
     * @param inner the fast allocator
     * @param owner the owner's name, for messages
     * @param mode the quarantine's bounds
     * @return the checked allocator
     */
    static CheckedAllocator wrap(ChunkAllocator inner, String owner, CheckedMode mode) {
        return new CheckedAllocator(inner, owner, mode);
    }

    @Override
    public MemorySegment alloc(long size) {
        ensureOpen("alloc(size=" + size + ")");
        return tracker.trackSegment(allocateBelow(size), size);
    }

    @Override
    public long allocAddress(long size) {
        ensureOpen("alloc(size=" + size + ")");
        long address = allocateBelow(size);
        tracker.trackAddress(address, size);
        return address;
    }

    /** Allocates below; on a shortage, really frees the quarantine and tries once more. */
    private long allocateBelow(long size) {
        try {
            return inner.allocAddress(size);
        } catch (WdAllocationException e) {
            if (tracker.drain() == 0) {
                throw e;
            }
            return inner.allocAddress(size);
        }
    }

    @Override
    public void freeAddress(long address) {
        ensureOpen("free(va=" + hex(address) + ")");
        if (!tracker.retire(address)) {
            // not the start of a live allocation: quarantined, or whatever the fast allocator says
            tracker.refuseFree(address, inner::freeAddress);
        }
    }

    @Override
    public long iovaMapAddress(long address, long size) {
        ensureOpen("iovaMap(va=" + hex(address) + ")");
        requireLive(address);
        return inner.iovaMapAddress(address, size);
    }

    @Override
    public void iovaUnmapAddress(long address, long iova, long size) {
        ensureOpen("iovaUnmap(va=" + hex(address) + ")");
        requireLive(address);
        inner.iovaUnmapAddress(address, iova, size);
    }

    @Override
    public long contiguousLength(long address, long limit) {
        ensureOpen("contiguousLength(va=" + hex(address) + ")");
        requireLive(address);
        return inner.contiguousLength(address, limit);
    }

    /**
     * The fast allocator's capabilities; its {@link WdIovaLookup} behind a check that refuses an
     * IOVA inside a quarantined allocation as {@link WdIovaException.Reason#FREED}.
     */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        Optional<T> below = inner.capability(type);
        if (type == WdIovaLookup.class && below.isPresent()) {
            return Optional.of(type.cast(new CheckedLookup((WdIovaLookup) below.get())));
        }
        return below;
    }

    /** A lookup that refuses quarantined memory. */
    private final class CheckedLookup implements WdIovaLookup {
        private final WdIovaLookup below;

        CheckedLookup(WdIovaLookup below) {
            this.below = below;
        }

        @Override
        public long addressOf(long iova) {
            ensureOpen("iovaToVa(iova=" + hex(iova) + ")");
            return requireLiveIova(iova, below.addressOf(iova));
        }

        @Override
        public MemorySegment segmentOf(long iova, long size) {
            ensureOpen("iovaToVa(iova=" + hex(iova) + ")");
            requireLiveIova(iova, below.addressOf(iova));
            return below.segmentOf(iova, size);
        }

        private long requireLiveIova(long iova, long va) {
            try {
                requireLive(va);
            } catch (WdOwnershipException quarantined) {
                throw new WdIovaException(
                        iova,
                        WdIovaException.Reason.FREED,
                        "iova=" + hex(iova) + " (va=" + hex(va) + ") is in an allocation of this " + owner
                                + " that was freed (in checked mode's quarantine)");
            }
            return va;
        }
    }

    /** Refuses an address inside a quarantined allocation; the fast allocator judges the rest. */
    private void requireLive(long address) {
        if (!tracker.isLive(address)) {
            tracker.refuseUse(address);
        }
    }

    private void ensureOpen(String operation) {
        if (closed) {
            throw new WdClosedException(owner + " is closed: " + operation + " refused");
        }
    }

    @Override
    public long largestClass() {
        return inner.largestClass();
    }

    /** Live allocations for the caller: quarantined ones are not counted. */
    @Override
    public long liveAllocations() {
        return tracker.liveAllocations();
    }

    @Override
    public long heldChunks() {
        return inner.heldChunks();
    }

    @Override
    public List<AllocationSite> liveSites() {
        return tracker.liveSites();
    }

    @Override
    public long quarantinedAllocations() {
        return tracker.quarantinedAllocations();
    }

    @Override
    public long quarantinedBytes() {
        return tracker.quarantinedBytes();
    }

    @Override
    public boolean isChecked() {
        return true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes every live scope, forgets the quarantine, then closes the fast allocator (which
     * releases every chunk): no segment handed out outlives its memory.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AllocationSite> sites = tracker.liveSites();
        long live = tracker.liveAllocations();
        try {
            tracker.close(false);
        } finally {
            if (inner instanceof StripedAllocator fast) {
                fast.closeCounting(); // this layer reports, with the sites
            } else {
                inner.close();
            }
        }
        LeakReports.closed(
                owner, live, sites.stream().mapToLong(AllocationSite::size).sum(), sites);
    }

    /** The fast allocator's figures, with quarantined allocations not counted as live. */
    @Override
    public WdStats stats() {
        WdStats below = inner.stats();
        long live = closed ? 0 : tracker.liveAllocations();
        long bytes = closed ? 0 : Math.max(0, below.liveBytes() - tracker.quarantinedBytes());
        return new WdStats(
                below.owner(),
                true,
                live,
                bytes,
                below.totalAllocations(),
                below.allocationFailures(),
                below.heldBytes(),
                below.peakHeldBytes(),
                below.heldBySize(),
                below.limitBytes(),
                below.deviceMappings(),
                below.deviceMappingsTotal(),
                null);
    }

    @Override
    public String toString() {
        return "CheckedAllocator[" + tracker + ", below=" + inner + "]";
    }
}
