package dev.wdmm.memory.alloc;

/**
 * The chunks of one size class in one stripe, under the bin's own monitor: a list of chunks that
 * have free slots, and the number of entirely empty chunks held. Thread caches refill from it in
 * batches ({@link #fill}, acquiring a new chunk when none has a free slot) and give slots back
 * ({@link #putBack}); when that empties a chunk while more than {@code retainEmpty} empty chunks
 * are held, the chunk goes back to the source. No Java object is allocated except when a new
 * chunk is acquired.
 */
final class Bin {
    private final StripedAllocator allocator;
    private final int slotShift;
    private final int retainEmpty;
    private ClassSpan head;
    private int emptySpans;

    Bin(StripedAllocator allocator, int slotShift, int retainEmpty) {
        this.allocator = allocator;
        this.slotShift = slotShift;
        this.retainEmpty = retainEmpty;
    }

    /**
     * Takes between 1 and {@code max} free slots into {@code addresses} and {@code spans} from
     * index 0 on (taken, not yet live: the caller claims each one it hands out).
     *
     * @param addresses where the slot addresses go
     * @param spans where their chunks go
     * @param max the most slots wanted, {@code >= 1}
     * @param requested the caller's size, for messages
     * @return how many slots were taken, {@code >= 1}
     */
    int fill(long[] addresses, ClassSpan[] spans, int max, long requested) {
        synchronized (this) {
            allocator.ensureOpen("alloc", requested);
            if (head != null) {
                return takeLocked(addresses, spans, max);
            }
        }
        // acquire outside the lock: a shortage trims other bins, which takes their locks
        allocator.enterSource("alloc", requested);
        try {
            ClassSpan fresh = ClassSpan.of(allocator.acquire(allocator.chunkSize(), requested), this, slotShift);
            allocator.adopt(fresh);
            synchronized (this) {
                if (allocator.isClosed()) {
                    allocator.release(fresh);
                    allocator.ensureOpen("alloc", requested);
                }
                link(fresh);
                emptySpans++;
                return takeLocked(addresses, spans, max);
            }
        } finally {
            allocator.exitSource();
        }
    }

    private int takeLocked(long[] addresses, ClassSpan[] spans, int max) {
        int n = 0;
        while (n < max && head != null) {
            ClassSpan span = head;
            if (span.live() == 0) {
                emptySpans--;
            }
            addresses[n] = span.take();
            spans[n++] = span;
            if (span.isFull()) {
                unlink(span);
            }
        }
        // the caller pops from the end: hand out the first slot taken (the lowest of a fresh chunk) first
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            long address = addresses[i];
            addresses[i] = addresses[j];
            addresses[j] = address;
            ClassSpan span = spans[i];
            spans[i] = spans[j];
            spans[j] = span;
        }
        return n;
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
     * Returns a taken slot that is not live (freed, or never handed out) to its chunk; after
     * {@link StripedAllocator#close()} it is dropped (close released every chunk).
     *
     * @param span the slot's chunk, one of this bin's
     * @param address the slot's start
     */
    synchronized void putBack(ClassSpan span, long address) {
        if (allocator.isClosed() || span.released) {
            return;
        }
        boolean wasFull = span.isFull();
        span.put(address);
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

    /** Waits for operations in progress; called by close after the closed flag is set. */
    synchronized void quiesce() {
        head = null;
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
