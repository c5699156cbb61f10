package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdClosedException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Checked mode ({@link CheckedMode}) as a building block for any allocator that hands out
 * addresses: the {@link ChunkAllocator} uses it when opened in checked mode, and a bridge with an
 * allocator of its own (passthrough's block pool) can too. It tracks each live allocation with its
 * {@link AllocationSite}, gives each one handed out as a segment a shared arena of its own, closes
 * that scope when the allocation is retired by a free, and keeps retired allocations in a bounded
 * first-in first-out quarantine before passing them to the {@code release} function given at
 * creation (the allocator's real free). It never reads or writes the memory it tracks.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once. Of two racing
 * retirements of one allocation exactly one succeeds; {@code release} is called under the
 * quarantine's monitor, once per retired allocation, never after {@link #close}.
 */
public final class AllocationTracker {
    private static final StackWalker WALKER = StackWalker.getInstance();

    private final String owner;
    private final String skipped;
    private final Quarantine quarantine;
    private final ConcurrentSkipListMap<Long, TrackedAllocation> live = new ConcurrentSkipListMap<>();
    private final AtomicLong liveCount = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final Object closing = new Object();

    private volatile boolean closed;

    private AllocationTracker(String owner, CheckedMode mode, LongConsumer release, Class<?> allocator) {
        this.owner = owner;
        this.skipped = allocator.getName();
        this.quarantine = new Quarantine(release, owner, mode);
    }

    /**
     * A tracker for one allocator.
     *
     * @param owner the allocator's owner, for messages, e.g. {@code "passthrough bridge"}
     * @param mode the quarantine's bounds ({@link CheckedMode#enabled()} is not looked at)
     * @param release really frees an address once it leaves the quarantine
     * @param allocator the class whose frames are left out of allocation sites (the caller's own)
     * @return the tracker
     * @throws NullPointerException if an argument is null
     */
    public static AllocationTracker create(String owner, CheckedMode mode, LongConsumer release, Class<?> allocator) {
        Objects.requireNonNull(owner, "owner is null");
        Objects.requireNonNull(mode, "mode is null");
        Objects.requireNonNull(release, "release is null");
        Objects.requireNonNull(allocator, "allocator is null");
        return new AllocationTracker(owner, mode, release, allocator);
    }

    /**
     * Tracks a new allocation handed out as a segment with a scope of its own.
     *
     * @param address the allocation's start, just allocated
     * @param size its requested size, {@code > 0}
     * @return the segment to hand out: exactly {@code size} bytes, closed by {@link #retire}
     * @throws WdClosedException if the tracker was closed (the scope is closed again at once)
     */
    public MemorySegment trackSegment(long address, long size) {
        return track(TrackedAllocation.scoped(site(address, size))).segment;
    }

    /**
     * Tracks a new allocation handed out as an address only.
     *
     * @param address the allocation's start, just allocated
     * @param size its requested size, {@code > 0}
     * @throws WdClosedException if the tracker was closed
     */
    public void trackAddress(long address, long size) {
        track(TrackedAllocation.address(site(address, size)));
    }

    private AllocationSite site(long address, long size) {
        List<StackTraceElement> frames =
                WALKER.walk(stack -> stack.dropWhile(f -> f.getClassName().equals(AllocationTracker.class.getName())
                                || f.getClassName().equals(skipped))
                        .limit(AllocationSite.MAX_FRAMES)
                        .map(StackWalker.StackFrame::toStackTraceElement)
                        .toList());
        return new AllocationSite(
                address,
                size,
                sequence.incrementAndGet(),
                Thread.currentThread().getName(),
                frames);
    }

    private TrackedAllocation track(TrackedAllocation allocation) {
        live.put(allocation.address(), allocation);
        liveCount.incrementAndGet();
        if (closed) {
            // close() may have missed it: its scope must not outlive the memory
            allocation.closeScope();
            throw new WdClosedException(owner + " is closed: alloc(size=" + allocation.size() + ") refused");
        }
        return allocation;
    }

    /**
     * Retires the live allocation starting at {@code address}: closes its scope (every access
     * through its segment throws {@link IllegalStateException} from now on) and queues it in the
     * quarantine, which may release the oldest ones.
     *
     * @param address the caller's address
     * @return true if it was retired; false if no tracked allocation starts there (the caller
     *     refuses the address its own way, e.g. with {@link #refuseFree})
     * @throws dev.wdmm.api.WdOwnershipException {@code ALREADY_FREED} if it was retired before
     * @throws IllegalStateException if its segment is in use by a native call; nothing changes
     */
    public boolean retire(long address) {
        TrackedAllocation allocation = live.get(address);
        if (allocation == null) {
            return false;
        }
        allocation.retire(owner);
        liveCount.decrementAndGet();
        // queued before it leaves the live map, so that a racing double free finds it in one of the two
        quarantine.add(allocation);
        live.remove(address, allocation);
        return true;
    }

    /**
     * Whether {@code address} lies inside a live tracked allocation (its requested size).
     *
     * @param address any address
     * @return true if inside one
     */
    public boolean isLive(long address) {
        Map.Entry<Long, TrackedAllocation> floor = live.floorEntry(address);
        return floor != null && floor.getValue().covers(address);
    }

    /**
     * Refuses a free of an address no tracked allocation starts at: {@code ALREADY_FREED} inside a
     * quarantined allocation; otherwise {@code diagnose} (the allocator's own free, which refuses
     * it as foreign, interior or free) runs under the quarantine's monitor, so that no allocation
     * leaves the quarantine meanwhile.
     *
     * @param address the caller's address
     * @param diagnose the allocator's own refusal
     * @throws dev.wdmm.api.WdOwnershipException as described
     */
    public void refuseFree(long address, LongConsumer diagnose) {
        quarantine.refuseFree(address, diagnose);
    }

    /**
     * Refuses a use (map, query) of an address inside a quarantined allocation as
     * {@code ALREADY_FREED}; returns otherwise.
     *
     * @param address the caller's address
     * @throws dev.wdmm.api.WdOwnershipException if the address is inside a quarantined allocation
     */
    public void refuseUse(long address) {
        quarantine.refuseUse(address);
    }

    /**
     * Releases everything quarantined now (an allocation failed and the memory may cure it, or
     * the allocator is about to be destroyed).
     *
     * @return how many allocations were released
     */
    public int drain() {
        return quarantine.drain();
    }

    /**
     * Where each live allocation was made, in address order.
     *
     * @return a snapshot
     */
    public List<AllocationSite> liveSites() {
        return live.values().stream()
                .filter(allocation -> !allocation.isRetired())
                .map(allocation -> allocation.site)
                .toList();
    }

    /**
     * Live tracked allocations (not yet retired).
     *
     * @return the count; 0 after close
     */
    public long liveAllocations() {
        return closed ? 0 : liveCount.get();
    }

    /**
     * Allocations in quarantine now.
     *
     * @return the count
     */
    public long quarantinedAllocations() {
        return quarantine.count();
    }

    /**
     * Bytes (requested sizes) in quarantine now.
     *
     * @return bytes
     */
    public long quarantinedBytes() {
        return quarantine.bytes();
    }

    /**
     * Closes the scope of every live allocation and forgets them; then either releases the
     * quarantine ({@code releaseQuarantined}, for an allocator that must get every block back
     * before it is destroyed) or forgets it (for one that releases all its memory at once).
     * Call it before the memory is released. Idempotent.
     *
     * @param releaseQuarantined whether to release quarantined allocations through {@code release}
     */
    public void close(boolean releaseQuarantined) {
        synchronized (closing) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (TrackedAllocation allocation : live.values()) {
            allocation.closeScope();
        }
        live.clear();
        liveCount.set(0);
        if (releaseQuarantined) {
            quarantine.drain();
        } else {
            quarantine.clear();
        }
    }

    @Override
    public String toString() {
        return "AllocationTracker[owner=" + owner + ", live=" + liveAllocations() + ", quarantined="
                + quarantine.count() + " (" + quarantine.bytes() + " bytes), released=" + quarantine.released()
                + "]";
    }
}
