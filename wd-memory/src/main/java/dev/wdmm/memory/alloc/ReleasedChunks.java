package dev.wdmm.memory.alloc;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The chunks an allocator released lately ({@value #CAPACITY}, oldest overwritten), so that a
 * refused call about an address there says "already freed" rather than "foreign": the loser of two
 * racing frees of a large allocation, or of a slot whose emptied chunk went back, finds no chunk
 * any more. Written on release (a slow path), read on error paths only. Thread-safe; a lookup racing
 * a rewrite of the same entry may miss it (the reason then falls back to foreign).
 */
final class ReleasedChunks {
    static final int CAPACITY = 64;

    /** {@link #CAPACITY} pairs (base, bytes); bytes 0 while a pair is rewritten. */
    private final AtomicLongArray ranges = new AtomicLongArray(2 * CAPACITY);

    private final AtomicInteger cursor = new AtomicInteger();

    /** Remembers a chunk just released. */
    void add(long base, long bytes) {
        int pair = (cursor.getAndIncrement() & (CAPACITY - 1)) * 2;
        ranges.set(pair + 1, 0);
        ranges.set(pair, base);
        ranges.set(pair + 1, bytes);
    }

    /** The base of a lately released chunk holding {@code address}, or -1. */
    long find(long address) {
        for (int pair = 0; pair < 2 * CAPACITY; pair += 2) {
            long base = ranges.get(pair);
            long bytes = ranges.get(pair + 1);
            if (bytes != 0 && Long.compareUnsigned(address - base, bytes) < 0) {
                return base;
            }
        }
        return -1;
    }
}
