package dev.wdmm.memory.alloc;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@link ThreadCache}s of one allocator: each thread's own, found through a
 * {@link ThreadLocal}, and a registry of all of them, for the live count and for reclaiming the
 * caches of threads that ended. A cache registers on its thread's first allocation or free; when
 * registrations reach twice the number of caches left after the last sweep (at least
 * {@value #FIRST_SWEEP}), the caches of ended threads are flushed into their bins and dropped, so
 * dead threads never hold more than about as many caches as live ones. A shortage of chunks
 * sweeps too ({@link #reclaimDead()}).
 *
 * <p>Thread-safety: {@link #current()} is lock-free after the first call on a thread; the
 * registry is guarded by this object's monitor (taken before any bin's, never inside one).
 */
final class ThreadCaches {
    /** Registrations before the first sweep of dead threads' caches. */
    static final int FIRST_SWEEP = 16;

    private final int classes;
    private final int stripeMask;
    private final ThreadLocal<ThreadCache> local = ThreadLocal.withInitial(this::register);
    private final List<ThreadCache> registry = new ArrayList<>();
    /** The live counts of caches dropped from the registry. */
    private long retired;
    /** The live bytes of caches dropped from the registry. */
    private long retiredBytes;
    /** The allocations of caches dropped from the registry (kept by close). */
    private long retiredAllocations;

    private int sweepAt = FIRST_SWEEP;
    /** Caches ever registered: the next one's stripe. */
    private int registrations;

    ThreadCaches(int classes, int stripes) {
        this.classes = classes;
        this.stripeMask = stripes - 1;
    }

    /** The calling thread's cache, registered on first use. */
    ThreadCache current() {
        return local.get();
    }

    private synchronized ThreadCache register() {
        if (registry.size() >= sweepAt) {
            reclaimDead();
            sweepAt = Math.max(FIRST_SWEEP, 2 * registry.size());
        }
        ThreadCache cache = new ThreadCache(Thread.currentThread(), registrations++ & stripeMask, classes);
        registry.add(cache);
        return cache;
    }

    /**
     * Flushes the caches of ended threads into their bins and drops them.
     *
     * @return how many caches were dropped
     */
    synchronized int reclaimDead() {
        int dropped = 0;
        for (Iterator<ThreadCache> it = registry.iterator(); it.hasNext(); ) {
            ThreadCache cache = it.next();
            if (!cache.thread.isAlive()) {
                cache.flushAll();
                retired += cache.live();
                retiredBytes += cache.bytes();
                retiredAllocations += cache.allocations();
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Allocations made minus frees done, over every thread (exact when no thread is in the allocator). */
    synchronized long live() {
        long live = retired;
        for (ThreadCache cache : registry) {
            live += cache.live();
        }
        return live;
    }

    /**
     * Live allocations, live bytes and allocations ever made, over every thread, in that order
     * (exact when no thread is in the allocator).
     *
     * @return three counts
     */
    synchronized long[] totals() {
        long[] totals = {retired, retiredBytes, retiredAllocations};
        for (ThreadCache cache : registry) {
            totals[0] += cache.live();
            totals[1] += cache.bytes();
            totals[2] += cache.allocations();
        }
        return totals;
    }

    /** Caches registered now (for tests). */
    synchronized int registered() {
        return registry.size();
    }

    /**
     * Forgets every cache (called by close, after every chunk was released): what other threads'
     * caches still list is dropped with them, never handed out again (their allocator is closed).
     */
    synchronized void close() {
        for (ThreadCache cache : registry) {
            retiredAllocations += cache.allocations();
        }
        registry.clear();
        retired = 0;
        retiredBytes = 0;
        local.remove();
    }
}
