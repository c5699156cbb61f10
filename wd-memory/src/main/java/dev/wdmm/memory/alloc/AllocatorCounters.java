package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdStats;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The accounting of a {@link StripedAllocator} that is off the hot path: chunk bytes held (and
 * their peak and limit), changed only when a chunk is acquired or released; runs, which acquire a
 * chunk anyway; failures. Small allocations are counted by the thread caches ({@link ThreadCache}).
 * Thread-safe: atomics only; the limit holds exactly (a chunk's bytes are reserved by
 * compare-and-set before the source is asked).
 */
final class AllocatorCounters {
    private final long limit;
    private final AtomicLong held = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong runBytes = new AtomicLong();
    private final AtomicLong runAllocations = new AtomicLong();
    /** What was live when close began; null before. */
    private volatile Outstanding atClose;

    /** Allocations and their requested bytes still live when the allocator was closed. */
    record Outstanding(long allocations, long bytes) {}

    AllocatorCounters(long limit) {
        this.limit = limit;
    }

    /** Counts {@code bytes} as held unless that would pass the limit; false then (nothing changed). */
    boolean reserve(long bytes) {
        for (long now = held.get(); ; now = held.get()) {
            if (bytes > limit - now) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                peak.accumulateAndGet(now + bytes, Math::max);
                return true;
            }
        }
    }

    /** Counts {@code bytes} as given back. */
    void unreserve(long bytes) {
        held.addAndGet(-bytes);
    }

    void failed() {
        failures.incrementAndGet();
    }

    void runAllocated(long size) {
        runBytes.addAndGet(size);
        runAllocations.incrementAndGet();
    }

    void runFreed(long size) {
        runBytes.addAndGet(-size);
    }

    /** The refusal of a chunk the limit does not allow. */
    WdAllocationException overLimit(String owner, long requested, long bytes) {
        return new WdAllocationException(
                requested,
                "size=" + requested + " refused: it needs a chunk of " + bytes + " bytes and " + owner + " holds "
                        + held.get() + " bytes of limit-bytes=" + limit
                        + " (empty chunks were given back first); free memory or raise the limit");
    }

    /** Records what is outstanding as close begins ({@code totals} from the thread caches). */
    void closing(long[] totals, long liveRuns) {
        atClose = new Outstanding(totals[0] + liveRuns, totals[1] + runBytes.getAndSet(0));
    }

    /** What was outstanding when close began; zeros before close. */
    Outstanding outstandingAtClose() {
        Outstanding o = atClose;
        return o != null ? o : new Outstanding(0, 0);
    }

    WdStats snapshot(String owner, long live, long slotBytes, long slotAllocations, Map<Long, Long> bySize) {
        return new WdStats(
                owner,
                true,
                live,
                slotBytes + runBytes.get(),
                slotAllocations + runAllocations.get(),
                failures.get(),
                held.get(),
                peak.get(),
                bySize,
                limit,
                0,
                0,
                null);
    }
}
