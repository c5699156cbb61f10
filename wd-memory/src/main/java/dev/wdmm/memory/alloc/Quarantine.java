package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * The freed allocations of an {@link AllocationTracker} that are kept out of reuse: a first-in
 * first-out queue bounded by bytes (requested sizes) and by count. An allocation still
 * quarantined stays allocated in the underlying allocator (so its chunk is never released under
 * it); when a bound is passed, the oldest ones are really freed through {@code release}.
 * Everything happens under this object's monitor, so a freed address is always either
 * quarantined or really freed, never between the two, for the refusals below.
 */
final class Quarantine {
    private final LongConsumer release;
    private final String owner;
    private final long maxBytes;
    private final int maxCount;
    private final ArrayDeque<TrackedAllocation> queue = new ArrayDeque<>();
    /** The queued allocations by address, to refuse any address inside one. */
    private final TreeMap<Long, TrackedAllocation> byAddress = new TreeMap<>();

    private long bytes;
    private long released;

    Quarantine(LongConsumer release, String owner, CheckedMode mode) {
        this.release = release;
        this.owner = owner;
        this.maxBytes = mode.quarantineBytes();
        this.maxCount = mode.quarantineCount();
    }

    /**
     * Queues a retired allocation, then really frees the oldest ones while a bound is passed. One
     * that alone passes a bound is really freed at once, pushing nothing else out.
     *
     * @throws dev.wdmm.api.WdClosedException if the underlying allocator was closed meanwhile
     */
    synchronized void add(TrackedAllocation allocation) {
        if (maxCount == 0 || allocation.size() > maxBytes) {
            released++;
            release.accept(allocation.address());
            return;
        }
        queue.addLast(allocation);
        byAddress.put(allocation.address(), allocation);
        bytes += allocation.size();
        while (!queue.isEmpty() && (queue.size() > maxCount || bytes > maxBytes)) {
            releaseOldest();
        }
    }

    /**
     * Really frees everything queued (an allocation failed: the memory may cure it).
     *
     * @return how many allocations were freed
     */
    synchronized int drain() {
        int count = 0;
        while (!queue.isEmpty()) {
            releaseOldest();
            count++;
        }
        return count;
    }

    private void releaseOldest() {
        TrackedAllocation oldest = queue.removeFirst();
        byAddress.remove(oldest.address());
        bytes -= oldest.size();
        released++;
        release.accept(oldest.address());
    }

    /** Forgets everything queued without freeing it: the underlying allocator is being closed. */
    synchronized void clear() {
        queue.clear();
        byAddress.clear();
        bytes = 0;
    }

    /**
     * Refuses a free of an address that is not the start of a live allocation: {@code ALREADY_FREED}
     * inside a quarantined one, else whatever {@code diagnose} (the underlying allocator's own free)
     * says: foreign, interior, a free slot.
     *
     * @param address the caller's address
     * @param diagnose the underlying allocator's refusal
     */
    synchronized void refuseFree(long address, LongConsumer diagnose) {
        TrackedAllocation freed = covering(address);
        if (freed != null) {
            throw alreadyFreed(address, freed);
        }
        diagnose.accept(address);
    }

    /**
     * Refuses a map or query at an address inside a quarantined allocation; returns otherwise
     * (the underlying allocator then judges the address).
     *
     * @param address the caller's address
     */
    synchronized void refuseUse(long address) {
        TrackedAllocation freed = covering(address);
        if (freed != null) {
            throw alreadyFreed(address, freed);
        }
    }

    private TrackedAllocation covering(long address) {
        Map.Entry<Long, TrackedAllocation> floor = byAddress.floorEntry(address);
        return floor != null && floor.getValue().covers(address) ? floor.getValue() : null;
    }

    private WdOwnershipException alreadyFreed(long address, TrackedAllocation freed) {
        return new WdOwnershipException(
                address,
                WdOwnershipException.Reason.ALREADY_FREED,
                "va=" + hex(address) + " is in allocation va=" + hex(freed.address()) + " size=" + freed.size()
                        + " that was already freed by this " + owner + " (checked mode: held in quarantine)");
    }

    /** Allocations queued now. */
    synchronized int count() {
        return queue.size();
    }

    /** Bytes (requested sizes) queued now. */
    synchronized long bytes() {
        return bytes;
    }

    /** Allocations really freed after their time in quarantine, since the allocator was opened. */
    synchronized long released() {
        return released;
    }
}
