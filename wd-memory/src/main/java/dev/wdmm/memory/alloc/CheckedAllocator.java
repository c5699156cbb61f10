package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The checked mode of a {@link ChunkAllocator} ({@link CheckedMode}): a layer over the fast
 * allocator, chosen at {@link ChunkAllocator#open}, that leaves the fast allocator untouched. Each
 * allocation is tracked with its site; a segment handed out has a scope of its own, closed by
 * {@code free}; freed allocations wait in a {@link Quarantine} (still allocated below) before the
 * fast allocator really frees them. This layer never reads or writes the memory itself.
 *
 * <p>Thread-safe: live allocations are in a concurrent map; a free retires its allocation under
 * the allocation's monitor (one of two racing frees wins), then queues it in the quarantine
 * before removing it from the live map, so that a racing double free always finds it in one of
 * the two. {@link #close()} closes every live scope before the fast allocator releases a chunk.
 */
final class CheckedAllocator implements ChunkAllocator {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final String SELF = CheckedAllocator.class.getName();

    private final ChunkAllocator inner;
    private final String owner;
    private final Quarantine quarantine;
    private final ConcurrentSkipListMap<Long, TrackedAllocation> live = new ConcurrentSkipListMap<>();
    private final AtomicLong liveCount = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();

    private volatile boolean closed;

    private CheckedAllocator(ChunkAllocator inner, String owner, CheckedMode mode) {
        this.inner = inner;
        this.owner = owner;
        this.quarantine = new Quarantine(inner, owner, mode);
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
        return track(size, true).segment;
    }

    @Override
    public long allocAddress(long size) {
        return track(size, false).address();
    }

    private TrackedAllocation track(long size, boolean scoped) {
        ensureOpen("alloc(size=" + size + ")");
        long address = allocateBelow(size);
        AllocationSite site = new AllocationSite(
                address,
                size,
                sequence.incrementAndGet(),
                Thread.currentThread().getName(),
                frames());
        TrackedAllocation allocation = scoped ? TrackedAllocation.scoped(site) : TrackedAllocation.address(site);
        live.put(address, allocation);
        liveCount.incrementAndGet();
        if (closed) {
            // close() may have missed it: its scope must not outlive the chunk
            allocation.closeScope();
            throw new WdClosedException(owner + " is closed: alloc(size=" + size + ") refused");
        }
        return allocation;
    }

    /** Allocates below; on a shortage, really frees the quarantine and tries once more. */
    private long allocateBelow(long size) {
        try {
            return inner.allocAddress(size);
        } catch (WdAllocationException e) {
            if (quarantine.drain() == 0) {
                throw e;
            }
            return inner.allocAddress(size);
        }
    }

    /** The caller's frames, innermost first, without this class's own. */
    private static List<StackTraceElement> frames() {
        return WALKER.walk(frames -> frames.dropWhile(f -> f.getClassName().equals(SELF))
                .limit(AllocationSite.MAX_FRAMES)
                .map(StackWalker.StackFrame::toStackTraceElement)
                .toList());
    }

    @Override
    public void freeAddress(long address) {
        ensureOpen("free(va=" + hex(address) + ")");
        TrackedAllocation allocation = live.get(address);
        if (allocation == null) {
            quarantine.refuseFree(address);
            // only reached if the address was live below but not yet tracked: a free racing its own alloc
            return;
        }
        allocation.retire(owner);
        liveCount.decrementAndGet();
        quarantine.add(allocation);
        live.remove(address, allocation);
    }

    @Override
    public long iovaMapAddress(long address, long size) {
        ensureOpen("iovaMap(va=" + hex(address) + ")");
        requireLive(address);
        return inner.iovaMapAddress(address, size);
    }

    @Override
    public long contiguousLength(long address, long limit) {
        ensureOpen("contiguousLength(va=" + hex(address) + ")");
        requireLive(address);
        return inner.contiguousLength(address, limit);
    }

    /** Refuses an address inside a quarantined allocation; the fast allocator judges the rest. */
    private void requireLive(long address) {
        Map.Entry<Long, TrackedAllocation> floor = live.floorEntry(address);
        if (floor == null || !floor.getValue().covers(address)) {
            quarantine.refuseUse(address);
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
        return closed ? 0 : liveCount.get();
    }

    @Override
    public long heldChunks() {
        return inner.heldChunks();
    }

    @Override
    public List<AllocationSite> liveSites() {
        return live.values().stream()
                .filter(allocation -> !allocation.isRetired())
                .map(allocation -> allocation.site)
                .toList();
    }

    @Override
    public long quarantinedAllocations() {
        return quarantine.count();
    }

    @Override
    public long quarantinedBytes() {
        return quarantine.bytes();
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
        try {
            for (TrackedAllocation allocation : live.values()) {
                allocation.closeScope();
            }
            live.clear();
            liveCount.set(0);
            quarantine.clear();
        } finally {
            inner.close();
        }
    }

    @Override
    public String toString() {
        return "CheckedAllocator[owner=" + owner + ", live=" + liveAllocations() + ", quarantined="
                + quarantine.count() + " (" + quarantine.bytes() + " bytes), released=" + quarantine.released()
                + ", below=" + inner + "]";
    }
}
