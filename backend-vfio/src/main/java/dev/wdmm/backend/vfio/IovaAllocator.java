package dev.wdmm.backend.vfio;

import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit allocator of page-aligned IOVA ranges in {@code [base, limit)}, coalescing on release.
 * Thread-safe (synchronized: map and unmap already take a kernel lock each).
 */
final class IovaAllocator {
    static final long PAGE = 4096;

    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final long base;
    private final long limit;

    private IovaAllocator(long base, long limit) {
        this.base = base;
        this.limit = limit;
        free.put(base, limit - base);
    }

    /** An allocator over {@code [base, limit)}; both page-aligned, base < limit. */
    static IovaAllocator over(long base, long limit) {
        if (base % PAGE != 0 || limit % PAGE != 0 || base <= 0 || limit <= base) {
            throw new IllegalArgumentException("base=0x" + Long.toHexString(base) + " limit=0x"
                    + Long.toHexString(limit) + " must be page-aligned with 0 < base < limit");
        }
        return new IovaAllocator(base, limit);
    }

    /** A free range of {@code size} bytes (a multiple of 4096). */
    synchronized long allocate(long size) {
        checkSize(size);
        for (Map.Entry<Long, Long> hole : free.entrySet()) {
            if (hole.getValue() >= size) {
                long start = hole.getKey();
                free.remove(start);
                if (hole.getValue() > size) {
                    free.put(start + size, hole.getValue() - size);
                }
                return start;
            }
        }
        throw new IllegalStateException("size=" + size + " does not fit the free IOVA space [0x"
                + Long.toHexString(base) + ", 0x" + Long.toHexString(limit) + "); unmap something first");
    }

    /** Gives back a range from {@link #allocate}. */
    synchronized void release(long start, long size) {
        checkSize(size);
        Map.Entry<Long, Long> below = free.floorEntry(start);
        Map.Entry<Long, Long> above = free.ceilingEntry(start);
        if (start < base
                || start + size > limit
                || (below != null && below.getKey() + below.getValue() > start)
                || (above != null && start + size > above.getKey())) {
            throw new IllegalStateException(
                    "iova=0x" + Long.toHexString(start) + " size=" + size + " is not allocated");
        }
        long newStart = start;
        long newSize = size;
        if (below != null && below.getKey() + below.getValue() == start) {
            newStart = below.getKey();
            newSize += below.getValue();
            free.remove(below.getKey());
        }
        if (above != null && above.getKey() == start + size) {
            newSize += above.getValue();
            free.remove(above.getKey());
        }
        free.put(newStart, newSize);
    }

    /** Bytes of IOVA space free. */
    synchronized long freeBytes() {
        return free.values().stream().mapToLong(Long::longValue).sum();
    }

    private static void checkSize(long size) {
        if (size <= 0 || size % PAGE != 0) {
            throw new IllegalArgumentException("size=" + size + " must be a positive multiple of " + PAGE);
        }
    }
}
