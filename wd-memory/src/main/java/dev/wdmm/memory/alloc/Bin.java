package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;

/**
 * The chunks of one size class in one stripe, under the bin's own monitor: a list of chunks that
 * have free slots, and the number of entirely empty chunks held. Allocation takes a slot from the
 * first listed chunk (acquiring a new one when there is none); a free returns the slot and, when
 * it empties the chunk while more than {@code retainEmpty} empty chunks are held, gives the chunk
 * back to the source. No Java object is allocated except when a new chunk is acquired.
 */
final class Bin {
    private final StripedAllocator allocator;
    private final int slotShift;
    private final int retainEmpty;
    private ClassSpan head;
    private int emptySpans;
    private long liveSlots;

    Bin(StripedAllocator allocator, int slotShift, int retainEmpty) {
        this.allocator = allocator;
        this.slotShift = slotShift;
        this.retainEmpty = retainEmpty;
    }

    /**
     * Allocates one slot.
     *
     * @param requested the caller's size
     * @return the slot's address
     */
    long alloc(long requested) {
        synchronized (this) {
            allocator.ensureOpen("alloc", requested);
            if (head != null) {
                return takeLocked(requested);
            }
        }
        // acquire outside the lock: a shortage trims other bins, which takes their locks
        ClassSpan fresh = ClassSpan.of(allocator.acquire(allocator.chunkSize(), requested), this, slotShift);
        allocator.adopt(fresh);
        synchronized (this) {
            if (allocator.isClosed()) {
                allocator.release(fresh);
                allocator.ensureOpen("alloc", requested);
            }
            link(fresh);
            emptySpans++;
            return takeLocked(requested);
        }
    }

    private long takeLocked(long requested) {
        ClassSpan span = head;
        if (span.live() == 0) {
            emptySpans--;
        }
        long address = span.take(requested);
        liveSlots++;
        if (span.isFull()) {
            unlink(span);
        }
        return address;
    }

    /**
     * Gives every empty chunk of this bin back to the source.
     *
     * @return how many chunks were released
     */
    synchronized int trim() {
        int released = 0;
        ClassSpan span = head;
        while (span != null && emptySpans > 0) {
            ClassSpan next = span.next;
            if (span.live() == 0) {
                unlink(span);
                span.released = true;
                emptySpans--;
                released++;
                allocator.release(span);
            }
            span = next;
        }
        return released;
    }

    /**
     * Frees the slot at {@code address} of {@code span}, checking that it is the start of a live slot.
     *
     * @param span the chunk the directory gave for the address
     * @param address the caller's address
     */
    synchronized void free(ClassSpan span, long address) {
        allocator.ensureOpen("free", address);
        if (span.released) {
            throw new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.FOREIGN,
                    "va=" + hex(address) + " is not an allocation of this " + allocator.owner()
                            + " (its chunk was given back)");
        }
        check(span, address);
        boolean wasFull = span.isFull();
        span.put(address);
        liveSlots--;
        if (wasFull) {
            link(span);
        }
        if (span.live() == 0 && ++emptySpans > retainEmpty) {
            unlink(span);
            span.released = true;
            emptySpans--;
            allocator.release(span);
        }
    }

    private void check(ClassSpan span, long address) {
        long start = span.slotStart(address);
        if (!span.isAllocated(address)) {
            throw new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(address) + " is not a live allocation of this " + allocator.owner() + " (slot va="
                            + hex(start) + " size=" + span.slotSize() + " is free: already freed or never allocated)");
        }
        if (start != address) {
            throw new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.INTERIOR,
                    "va=" + hex(address)
                            + " is interior to allocation va=" + hex(start) + " size=" + span.allocationSize(address)
                            + " (offset=" + (address - start) + ") of this " + allocator.owner()
                            + "; free takes the start address");
        }
    }

    /** Allocated slots in this bin's chunks. */
    synchronized long liveSlots() {
        return liveSlots;
    }

    /** Waits for operations in progress; called by close after the closed flag is set. */
    synchronized void quiesce() {
        head = null;
        liveSlots = 0;
        emptySpans = 0;
    }

    private void link(ClassSpan span) {
        span.prev = null;
        span.next = head;
        if (head != null) {
            head.prev = span;
        }
        head = span;
    }

    private void unlink(ClassSpan span) {
        if (span.prev != null) {
            span.prev.next = span.next;
        } else {
            head = span.next;
        }
        if (span.next != null) {
            span.next.prev = span.prev;
        }
        span.prev = null;
        span.next = null;
    }
}
