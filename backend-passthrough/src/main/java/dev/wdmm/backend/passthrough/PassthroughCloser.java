package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.memory.alloc.AllocationSite;
import dev.wdmm.memory.alloc.AllocationTracker;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.spi.WdRegionSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a {@link PassthroughBridge}'s close does, once: frees every block still allocated, destroys
 * the pool whatever a racing alloc or free still holds ({@link BlockPool#destroyForcibly()}),
 * releases the region it reserved, and reports what was outstanding ({@link LeakReports}). It
 * refers to the pool, the region and the size words, never to the bridge, so a
 * {@link java.lang.ref.Cleaner} can run it when the bridge became unreachable. Never throws for
 * allocations outstanding; thread-safe (its monitor), idempotent.
 */
final class PassthroughCloser implements Runnable {
    private final String name;
    private final BlockPool pool;
    private final AllocationTracker checks;
    private final AtomicLongArray sizes;
    private final long base;
    private final long stride;
    private final WdReservedMemory region;
    private final WdRegionSource owner;
    volatile boolean closed;

    PassthroughCloser(
            String name,
            BlockPool pool,
            AllocationTracker checks,
            AtomicLongArray sizes,
            long base,
            long stride,
            WdReservedMemory region,
            WdRegionSource owner) {
        this.name = name;
        this.pool = pool;
        this.checks = checks;
        this.sizes = sizes;
        this.base = base;
        this.stride = stride;
        this.region = region;
        this.owner = owner;
    }

    @Override
    public synchronized void run() {
        if (closed) {
            return;
        }
        closed = true;
        List<AllocationSite> sites = checks != null ? checks.liveSites() : List.of();
        long live = 0;
        long bytes = 0;
        try {
            if (checks != null) {
                checks.close(true); // every scope closed, every quarantined block back in the pool
            }
            for (int position = 0; position < sizes.length(); position++) {
                long size = sizes.getAndSet(position, 0);
                if (size > 0) {
                    live++;
                    bytes += size;
                    freeQuietly(base + position * stride);
                }
            }
        } finally {
            // blocks an alloc or free racing this close holds are released with the region
            pool.destroyForcibly();
            if (owner != null) {
                owner.release(region);
            }
        }
        LeakReports.closed(name, live, bytes, sites);
    }

    /** A block whose free races this close (its size word was taken first) is left to the forced destroy. */
    private void freeQuietly(long address) {
        try {
            pool.freeAddress(address);
        } catch (WdOwnershipException racing) {
            // a racing free won; the forced destroy covers the block
        }
    }
}
