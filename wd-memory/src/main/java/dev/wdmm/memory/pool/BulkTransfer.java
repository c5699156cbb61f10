package dev.wdmm.memory.pool;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import java.util.Objects;

/**
 * Bulk get and put of single blocks for a {@link StripedBlockPool} (DPDK's
 * {@code rte_mempool_get_bulk} / {@code rte_mempool_put_bulk}): all or nothing, allocation-free.
 *
 * <p>A get takes blocks from the calling thread's stripe, then the global stack, then the other
 * stripes (one lock at a time, as a single alloc does), writing their addresses straight into the
 * caller's array; only when it holds all {@code n} does it mark them allocated. If it cannot, it
 * gives every block it took back to the global stack and reports failure: nothing was taken. While
 * a failing get is in flight, the blocks it holds are briefly in no cache, so a racing alloc may
 * fail although the pool is not empty (as a racing alloc may when a bulk succeeds).
 *
 * <p>A put first changes every block's state word from allocated to free with one
 * compare-and-set each; if an address is bad (foreign, padding, free, in a run, given twice), the
 * words changed so far are set back and the put is refused: nothing was freed. Then the blocks go
 * to the caller's stripe (spilling half of it to the global stack whenever it fills).
 */
final class BulkTransfer {
    private BulkTransfer() {}

    static void checkRange(int length, int offset, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n=" + n + " must be > 0");
        }
        if (offset < 0 || offset > length - n) {
            throw new IllegalArgumentException("offset=" + offset + " n=" + n
                    + " must satisfy 0 <= offset and offset + n" + " <= length=" + length);
        }
    }

    static boolean get(StripedBlockPool pool, long[] out, int offset, int n) {
        Objects.requireNonNull(out, "addresses is null");
        checkRange(out.length, offset, n);
        BlockLayout layout = pool.layout;
        Stripe own = pool.ownStripe();
        int got = 0;
        long seen = pool.spills.get();
        own.lock();
        try {
            pool.requireOpen("allocBulk");
            got = drain(own, layout, out, offset, got, n);
            while (got < n) {
                int popped = pool.global.pop(own.cache, 0, Math.min(n - got, Stripe.CAPACITY));
                if (popped == 0) {
                    break;
                }
                for (int i = 0; i < popped; i++) {
                    out[offset + got++] = layout.address(own.cache[i]);
                }
            }
        } finally {
            own.unlock();
        }
        while (got < n) {
            got = raid(pool, out, offset, got, n);
            long now = pool.spills.get();
            if (got < n && now == seen) {
                giveBack(pool, out, offset, got);
                pool.failures.incrementAndGet();
                return false;
            }
            seen = now;
        }
        commit(pool, own, out, offset, n);
        return true;
    }

    /** Moves up to {@code n - got} blocks from {@code stripe}'s cache into {@code out}; the caller holds its lock. */
    private static int drain(Stripe stripe, BlockLayout layout, long[] out, int offset, int got, int n) {
        int take = Math.min(n - got, stripe.count);
        int count = stripe.count;
        for (int i = 0; i < take; i++) {
            out[offset + got++] = layout.address(stripe.cache[--count]);
        }
        stripe.count = count;
        return got;
    }

    /** Takes what the other stripes hold, one lock at a time (never two at once: no lock order to keep). */
    private static int raid(StripedBlockPool pool, long[] out, int offset, int got, int n) {
        for (Stripe other : pool.stripes) {
            if (got == n) {
                break;
            }
            other.lock();
            try {
                if (pool.destroyed) {
                    giveBack(pool, out, offset, got);
                    pool.requireOpen("allocBulk");
                }
                got = drain(other, pool.layout, out, offset, got, n);
                if (got < n) {
                    int popped =
                            pool.global.pop(other.cache, other.count, Math.min(n - got, Stripe.CAPACITY - other.count));
                    other.count += popped;
                    got = drain(other, pool.layout, out, offset, got, n);
                }
            } finally {
                other.unlock();
            }
        }
        return got;
    }

    private static void giveBack(StripedBlockPool pool, long[] out, int offset, int got) {
        for (int i = 0; i < got; i++) {
            pool.global.push(pool.layout.blockOf(out[offset + i]));
        }
        if (got > 0) {
            pool.spills.incrementAndGet();
        }
    }

    private static void commit(StripedBlockPool pool, Stripe own, long[] out, int offset, int n) {
        for (int i = 0; i < n; i++) {
            StripedBlockPool.STATE.setRelease(
                    pool.state, pool.layout.blockOf(out[offset + i]), StripedBlockPool.ALLOCATED);
        }
        own.lock();
        own.allocs += n;
        own.unlock();
    }

    static void put(StripedBlockPool pool, long[] addresses, int offset, int n) {
        Objects.requireNonNull(addresses, "addresses is null");
        checkRange(addresses.length, offset, n);
        pool.requireOpen("freeBulk");
        BlockLayout layout = pool.layout;
        for (int i = 0; i < n; i++) {
            long address = addresses[offset + i];
            int block = layout.blockOf(address);
            int witness = block < 0
                    ? StripedBlockPool.FREE
                    : (int) StripedBlockPool.STATE.compareAndExchange(
                            pool.state, block, StripedBlockPool.ALLOCATED, StripedBlockPool.FREE);
            if (witness != StripedBlockPool.ALLOCATED) {
                for (int j = 0; j < i; j++) {
                    StripedBlockPool.STATE.setRelease(
                            pool.state, layout.blockOf(addresses[offset + j]), StripedBlockPool.ALLOCATED);
                }
                throw refusal(pool, addresses, offset, i, block, witness);
            }
        }
        Stripe own = pool.ownStripe();
        own.lock();
        try {
            int count = own.count;
            for (int i = 0; i < n; i++) {
                if (count == Stripe.CAPACITY) {
                    own.count = count;
                    pool.spill(own);
                    count = own.count;
                }
                own.cache[count++] = layout.blockOf(addresses[offset + i]);
            }
            own.count = count;
            own.frees += n;
        } finally {
            own.unlock();
        }
    }

    private static RuntimeException refusal(
            StripedBlockPool pool, long[] addresses, int offset, int index, int block, int witness) {
        long address = addresses[offset + index];
        for (int j = 0; j < index; j++) {
            if (block >= 0 && pool.layout.blockOf(addresses[offset + j]) == block) {
                return new WdOwnershipException(
                        address,
                        WdOwnershipException.Reason.ALREADY_FREED,
                        "freeBulk index=" + (offset + index) + " va=" + hex(address) + " is in the same block as index="
                                + (offset + j) + " va=" + hex(addresses[offset + j]) + "; nothing was freed");
            }
        }
        if (witness == StripedBlockPool.RUN_HEAD || witness == StripedBlockPool.RUN_BODY) {
            return new IllegalArgumentException("freeBulk index=" + (offset + index) + " va=" + hex(address)
                    + " is inside a run of blocks; free runs with freeAddress; nothing was freed");
        }
        WdOwnershipException cause = pool.refusalOf("freeBulk", address, block);
        return new WdOwnershipException(
                address,
                cause.reason(),
                "freeBulk index=" + (offset + index) + ": " + cause.getMessage() + "; nothing was freed");
    }
}
