package dev.wdmm.memory.pool;

import static dev.wdmm.memory.pool.StripedBlockPool.ALLOCATED;
import static dev.wdmm.memory.pool.StripedBlockPool.FREE;
import static dev.wdmm.memory.pool.StripedBlockPool.RUN_BODY;
import static dev.wdmm.memory.pool.StripedBlockPool.RUN_HEAD;
import static dev.wdmm.memory.pool.StripedBlockPool.STATE;
import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import java.util.Arrays;

/**
 * The runs of a pool: allocations of several adjacent blocks (UADK v2's {@code wd_mem_alloc}).
 *
 * <p>A free block is <i>listed</i>: its index sits in exactly one stripe cache or in the global
 * stack. {@link #claim} needs to know which blocks are listed and to take k of them out of
 * whatever lists hold them, so its caller holds this object's monitor and every stripe's lock:
 * then no list changes (the global stack is only touched under a stripe lock, or under this
 * monitor by {@link #release}), and a block that is being freed or allocated on another thread
 * this very moment is unlisted, hence never chosen. The single-block path is unchanged and takes
 * no new lock; it only waits while a claim holds its stripe.
 *
 * <p>A run's blocks leave the lists and get state {@code RUN_HEAD} (first) or {@code RUN_BODY};
 * {@link #run} records the length at the head and the head at each other block, written before
 * the states are published with release stores.
 */
final class Runs {
    private final BlockLayout layout;
    private final int[] state;
    private final FreeStack global;
    private final Stripe[] stripes;
    /** For a run's head block its length; for its other blocks the head's index. */
    private final int[] run;

    /** Blocks held by runs; written under the monitor, read racily by statistics. */
    private volatile int outstanding;
    /** Runs claimed since creation; written under the run monitor. */
    private long claimed;

    /** Scratch for a claim, created by the first one (a pool that never serves runs pays nothing). */
    private int[] drained;

    private long[] listed;
    /** What the last failed claim saw: free blocks and the longest free run. */
    int freeSeen;

    int longestSeen;

    Runs(BlockLayout layout, int[] state, FreeStack global, Stripe[] stripes) {
        this.layout = layout;
        this.state = state;
        this.global = global;
        this.stripes = stripes;
        this.run = new int[layout.blocks()];
    }

    /**
     * Takes the first run of {@code k >= 2} listed, joined blocks out of the lists. The caller
     * holds this monitor and every stripe lock. O(blocks).
     *
     * @return the head block, or -1 ({@link #freeSeen} and {@link #longestSeen} then describe why)
     */
    int claim(int k) {
        int blocks = layout.blocks();
        if (drained == null) {
            drained = new int[blocks];
            listed = new long[(blocks + 63) >>> 6];
        } else {
            Arrays.fill(listed, 0L);
        }
        int popped = global.pop(drained, 0, blocks);
        for (int i = 0; i < popped; i++) {
            mark(drained[i]);
        }
        for (Stripe stripe : stripes) {
            for (int i = 0; i < stripe.count; i++) {
                mark(stripe.cache[i]);
            }
        }
        int head = find(k);
        if (head >= 0) {
            for (Stripe stripe : stripes) {
                stripe.count = without(stripe.cache, stripe.count, head, k);
            }
            popped = without(drained, popped, head, k);
            run[head] = k;
            for (int b = head + 1; b < head + k; b++) {
                run[b] = head;
            }
            for (int b = head + 1; b < head + k; b++) {
                STATE.setRelease(state, b, RUN_BODY);
            }
            STATE.setRelease(state, head, RUN_HEAD);
            outstanding += k;
            claimed++;
        }
        global.push(drained, 0, popped);
        return head;
    }

    /**
     * Frees the run headed by {@code head}: of two racing calls exactly one succeeds. The caller
     * holds this monitor. Its blocks go to the global stack in one push.
     *
     * @return false if the block was no longer a run's head
     */
    boolean release(int head) {
        if (!STATE.compareAndSet(state, head, RUN_HEAD, FREE)) {
            return false;
        }
        int k = run[head];
        for (int b = head + 1; b < head + k; b++) {
            STATE.setRelease(state, b, FREE);
        }
        outstanding -= k;
        global.pushRange(head, k);
        return true;
    }

    /** Blocks a run of {@code size > blockSize} bytes needs, after checking the size. */
    int blocksFor(long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        long blocks = 1 + (size - layout.blockSize + layout.stride - 1) / layout.stride;
        if (blocks > layout.maxRun) {
            throw new IllegalArgumentException("size=" + size + " needs " + blocks
                    + " adjacent blocks (blockSize=" + layout.blockSize + " stride=" + layout.stride
                    + ") but the longest DMA-contiguous run of this pool's layout is maxRunBlocks=" + layout.maxRun
                    + " (maxAllocSize=" + layout.runBytes(layout.maxRun) + ")");
        }
        return (int) blocks;
    }

    /** Why the last {@link #claim} of {@code k} blocks for {@code size} bytes failed. */
    String refusal(int k, long size, long failures) {
        return "size=" + size + " needs a run of " + k + " adjacent free blocks (blockSize=" + layout.blockSize
                + " stride=" + layout.stride + ") but none is free: freeBlocks=" + freeSeen + " longestFreeRun="
                + longestSeen + " blocks (blockCount=" + layout.blocks() + " allocFailures=" + failures
                + "); free allocations or create a larger pool";
    }

    /** The refusal of an address inside the live run headed by {@code head} that is not its start. */
    WdOwnershipException interior(String operation, long address, int head) {
        return new WdOwnershipException(
                address,
                Reason.INTERIOR,
                operation + " va=" + hex(address) + " is interior to the run va=" + hex(layout.address(head)) + " of "
                        + run[head] + " blocks; pass the run's start address");
    }

    /**
     * The first block of the live allocation (single block or run) whose bytes hold {@code
     * address}, or -1. Racy by nature: a concurrent free may make the answer stale at once.
     */
    int liveHead(long address) {
        int block = layout.blockOfPosition(address);
        if (block < 0) {
            return -1;
        }
        int s = (int) STATE.getAcquire(state, block);
        int head;
        if (s == ALLOCATED) {
            return address - layout.address(block) < layout.blockSize ? block : -1;
        } else if (s == RUN_HEAD) {
            head = block;
        } else if (s == RUN_BODY) {
            head = run[block];
        } else {
            return -1;
        }
        return address - layout.address(head) < layout.runBytes(run[head]) ? head : -1;
    }

    /** The length of the run headed by {@code head}. */
    int length(int head) {
        return run[head];
    }

    /** Runs claimed since creation (read racily by statistics, like the stripes' counters). */
    long claimed() {
        return claimed;
    }

    /** Blocks held by runs now. */
    int outstanding() {
        return outstanding;
    }

    private void mark(int block) {
        listed[block >>> 6] |= 1L << block;
    }

    private boolean isListed(int block) {
        return (listed[block >>> 6] & (1L << block)) != 0;
    }

    /** First fit: the lowest head of {@code k} listed blocks, each joined to the next. */
    private int find(int k) {
        int blocks = layout.blocks();
        int start = -1;
        int length = 0;
        int longest = 0;
        int free = 0;
        for (int b = 0; b < blocks; b++) {
            if ((b & 63) == 0 && listed[b >>> 6] == 0) {
                length = 0;
                b += 63;
                continue;
            }
            if (!isListed(b)) {
                length = 0;
                continue;
            }
            free++;
            if (length > 0 && layout.reach[b - 1] > 1) {
                length++;
            } else {
                start = b;
                length = 1;
            }
            if (length == k) {
                return start;
            }
            longest = Math.max(longest, length);
        }
        freeSeen = free;
        longestSeen = longest;
        return -1;
    }

    /** Removes the indices {@code head .. head + k - 1} from {@code indices[0 .. count)}; returns the new count. */
    private static int without(int[] indices, int count, int head, int k) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            int block = indices[i];
            if (block - head < 0 || block - head >= k) {
                indices[kept++] = block;
            }
        }
        return kept;
    }
}
