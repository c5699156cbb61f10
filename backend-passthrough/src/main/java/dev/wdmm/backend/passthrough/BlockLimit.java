package dev.wdmm.backend.passthrough;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.events.WdEvents;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The passthrough bridge's optional limit ({@link PassthroughBackendProvider#LIMIT_BYTES}): bytes of
 * blocks allocated (an allocation counts its blocks times the block size). Without a limit it
 * counts nothing and costs one branch per call; with one, a compare-and-set per alloc and an add per
 * free. Thread-safe; the limit holds exactly.
 */
final class BlockLimit {
    private final String owner;
    private final long limit;
    private final long blockSize;
    private final long stride;
    /** Bytes of blocks allocated; null without a limit. */
    private final AtomicLong used;

    private final AtomicLong refusals = new AtomicLong();

    BlockLimit(String owner, long limit, long blockSize, long stride) {
        this.owner = owner;
        this.limit = limit;
        this.blockSize = blockSize;
        this.stride = stride;
        this.used = limit == WdStats.NO_LIMIT ? null : new AtomicLong();
    }

    /** Counts {@code size} against the limit, or refuses it naming the limit (nothing changes). */
    void reserve(long size) {
        if (used == null) {
            return;
        }
        long charge = charge(size);
        for (long now = used.get(); ; now = used.get()) {
            if (charge > limit - now) {
                refusals.incrementAndGet();
                WdEvents.allocationFailure(owner, size, "limit");
                throw new WdAllocationException(
                        size,
                        "size=" + size + " refused: it takes " + charge + " bytes of blocks and " + owner + " has "
                                + now + " bytes of blocks allocated of " + PassthroughBackendProvider.LIMIT_BYTES.name()
                                + "=" + limit + "; free blocks or raise the limit");
            }
            if (used.compareAndSet(now, now + charge)) {
                return;
            }
        }
    }

    /** Counts {@code size} again after a free was undone (the limit may be passed for a moment). */
    void reserveUnchecked(long size) {
        if (used != null) {
            used.addAndGet(charge(size));
        }
    }

    /** Gives {@code size} back. */
    void unreserve(long size) {
        if (used != null) {
            used.addAndGet(-charge(size));
        }
    }

    /** Allocations refused by the limit. */
    long refusals() {
        return refusals.get();
    }

    /** The limit, or {@link WdStats#NO_LIMIT}. */
    long bytes() {
        return limit;
    }

    /** The bytes of blocks an allocation of {@code size} takes: its blocks times the block size. */
    private long charge(long size) {
        long blocks = size <= blockSize ? 1 : 1 + (size - blockSize + stride - 1) / stride;
        return blocks * blockSize;
    }
}
