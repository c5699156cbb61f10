package dev.wdmm.memory.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free Treiber stack of block indices kept in an {@code int[]} of links (no node objects).
 * The head packs a 32-bit version tag above the top index, so a pop that raced with pops and
 * pushes of the same index (ABA) fails its compare-and-set and retries. Whole batches are pushed
 * and popped with one compare-and-set. Thread-safe; allocation-free.
 */
final class FreeStack {
    private static final int EMPTY = -1;

    private final int[] next;
    private final AtomicLong head = new AtomicLong(pack(0, EMPTY));

    FreeStack(int capacity) {
        this.next = new int[capacity];
    }

    /** Pushes the given indices, {@code indices[from]} ending on top. */
    void push(int[] indices, int from, int count) {
        if (count <= 0) {
            return;
        }
        int bottom = indices[from + count - 1];
        for (int i = from; i < from + count - 1; i++) {
            next[indices[i]] = indices[i + 1];
        }
        int top = indices[from];
        while (true) {
            long h = head.get();
            next[bottom] = (int) h;
            // the link writes above happen-before the volatile CAS, so a popper that sees the new
            // head also sees them
            if (head.compareAndSet(h, pack((h >>> 32) + 1, top))) {
                return;
            }
        }
    }

    /** Pushes one index (cold paths: giving back what a failed bulk get took). */
    void push(int index) {
        while (true) {
            long h = head.get();
            next[index] = (int) h;
            if (head.compareAndSet(h, pack((h >>> 32) + 1, index))) {
                return;
            }
        }
    }

    /** Pushes the consecutive indices {@code first .. first + count - 1}, {@code first} ending on top. */
    void pushRange(int first, int count) {
        if (count <= 0) {
            return;
        }
        int bottom = first + count - 1;
        for (int i = first; i < bottom; i++) {
            next[i] = i + 1;
        }
        while (true) {
            long h = head.get();
            next[bottom] = (int) h;
            if (head.compareAndSet(h, pack((h >>> 32) + 1, first))) {
                return;
            }
        }
    }

    /** Pops up to {@code max} indices into {@code into[at...]}; returns how many. */
    int pop(int[] into, int at, int max) {
        while (true) {
            long h = head.get();
            int cur = (int) h;
            if (cur == EMPTY) {
                return 0;
            }
            int n = 0;
            // links read here may be stale if other threads popped meanwhile; then the version tag
            // has moved and the CAS below fails
            while (n < max && cur != EMPTY) {
                into[at + n++] = cur;
                cur = next[cur];
            }
            if (head.compareAndSet(h, pack((h >>> 32) + 1, cur))) {
                return n;
            }
        }
    }

    private static long pack(long tag, int index) {
        return tag << 32 | (index & 0xFFFF_FFFFL);
    }
}
