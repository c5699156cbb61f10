package dev.wdmm.memory.pool;

import static dev.wdmm.memory.pool.StripedBlockPool.FREE;
import static dev.wdmm.memory.pool.StripedBlockPool.RUN_BODY;
import static dev.wdmm.memory.pool.StripedBlockPool.RUN_HEAD;
import static dev.wdmm.memory.pool.StripedBlockPool.STATE;

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

    /** The head of the run holding {@code block}, whose state was read as {@code RUN_BODY}. */
    int headOf(int block) {
        return run[block];
    }

    /** The length of the run headed by {@code head}. */
    int length(int head) {
        return run[head];
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
