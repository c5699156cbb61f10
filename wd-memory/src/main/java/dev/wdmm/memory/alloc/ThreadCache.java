package dev.wdmm.memory.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One thread's cache of free slots of one allocator: per size class a small LIFO magazine of
 * slots taken from the bins but not live. Only its thread reads or writes it, with no lock and no
 * atomic instruction; once the thread has ended, {@link ThreadCaches} may flush it (the end of a
 * thread happens-before {@link Thread#isAlive()} returning false).
 *
 * <p>Bounded: a magazine holds at most {@link #capacity(int)} slots, about 256 KiB of each class
 * (at least one slot, at most 32), so a thread keeps a few MiB of free slots at most; a free into
 * a full magazine first gives its older half back to the bins.
 */
final class ThreadCache {
    /** Bytes of one class a magazine holds at most (rounded up to one slot). */
    static final int MAGAZINE_BYTES_SHIFT = 18;
    /** Slots a magazine holds at most. */
    static final int MAX_SLOTS = 32;

    private static final Magazine NONE = new Magazine(0);
    private static final VarHandle LIVE;
    private static final VarHandle BYTES;
    private static final VarHandle ALLOCATIONS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LIVE = lookup.findVarHandle(ThreadCache.class, "live", long.class);
            BYTES = lookup.findVarHandle(ThreadCache.class, "bytes", long.class);
            ALLOCATIONS = lookup.findVarHandle(ThreadCache.class, "allocations", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The owner. */
    final Thread thread;
    /** The stripe whose bins refill this cache (threads take stripes in turn, so two threads never share one bin while stripes last). */
    final int stripe;
    /** One per size class, {@link #NONE} until first used. */
    private final Magazine[] magazines;
    /** Allocations made minus frees done by this thread (negative when it freed other threads' allocations). */
    private long live;
    /** Requested bytes allocated minus bytes freed by this thread (negative as {@link #live} can be). */
    private long bytes;
    /** Allocations made by this thread. */
    private long allocations;

    /** The slots of one class: {@code addresses[0, count)} and their chunks, newest last. */
    static final class Magazine {
        final long[] addresses;
        final ClassSpan[] spans;
        int count;

        Magazine(int capacity) {
            this.addresses = new long[capacity];
            this.spans = new ClassSpan[capacity];
        }

        int capacity() {
            return addresses.length;
        }
    }

    ThreadCache(Thread thread, int stripe, int classes) {
        this.thread = thread;
        this.stripe = stripe;
        this.magazines = new Magazine[classes];
        Arrays.fill(magazines, NONE);
    }

    /**
     * Slots a magazine of slots of {@code 2^slotShift} bytes holds.
     *
     * @param slotShift log2 of the slot size
     * @return between 1 and {@link #MAX_SLOTS}
     */
    static int capacity(int slotShift) {
        return slotShift >= MAGAZINE_BYTES_SHIFT ? 1 : Math.min(MAX_SLOTS, 1 << (MAGAZINE_BYTES_SHIFT - slotShift));
    }

    /** The magazine of class index {@code cls}; an empty one of capacity 0 until {@link #grow}. */
    Magazine magazine(int cls) {
        return magazines[cls];
    }

    /** The magazine of class index {@code cls}, created with {@link #capacity(int)} slots if it was not. */
    Magazine grow(int cls, int slotShift) {
        Magazine m = magazines[cls];
        if (m == NONE) {
            m = new Magazine(capacity(slotShift));
            magazines[cls] = m;
        }
        return m;
    }

    /** Counts an allocation of {@code size} bytes; owner only (plain reads, opaque writes: no atomic instruction). */
    void countAlloc(long size) {
        LIVE.setOpaque(this, live + 1);
        BYTES.setOpaque(this, bytes + size);
        ALLOCATIONS.setOpaque(this, allocations + 1);
    }

    /** Counts a free of {@code size} bytes; owner only. */
    void countFree(long size) {
        LIVE.setOpaque(this, live - 1);
        BYTES.setOpaque(this, bytes - size);
    }

    /** The count, readable by any thread (exact once the owner is quiescent). */
    long live() {
        return (long) LIVE.getOpaque(this);
    }

    /** Live bytes counted by this thread, readable by any thread (exact once the owner is quiescent). */
    long bytes() {
        return (long) BYTES.getOpaque(this);
    }

    /** Allocations made by this thread, readable by any thread (exact once the owner is quiescent). */
    long allocations() {
        return (long) ALLOCATIONS.getOpaque(this);
    }

    /**
     * Gives the oldest {@code n} slots of {@code m} back to their bins and moves the rest down.
     *
     * @param m one of this cache's magazines
     * @param n slots to give back, {@code <= m.count}
     */
    static void flush(Magazine m, int n) {
        for (int i = 0; i < n; i++) {
            m.spans[i].bin.putBack(m.spans[i], m.addresses[i]);
        }
        int rest = m.count - n;
        System.arraycopy(m.addresses, n, m.addresses, 0, rest);
        System.arraycopy(m.spans, n, m.spans, 0, rest);
        Arrays.fill(m.spans, rest, m.count, null);
        m.count = rest;
    }

    /** Gives every cached slot back to its bin; by the owner, or by anyone once the owner has ended. */
    void flushAll() {
        for (Magazine m : magazines) {
            if (m.count > 0) {
                flush(m, m.count);
            }
        }
    }

    /** Slots cached now (for tests; exact only when the owner is quiescent). */
    int cached() {
        int n = 0;
        for (Magazine m : magazines) {
            n += m.count;
        }
        return n;
    }
}
