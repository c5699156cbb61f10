package dev.wdmm.backend.vfio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.memory.nativeio.VfioIommuInfo.IovaRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Allocator of page-aligned IOVA ranges inside the usable IOVA ranges the kernel reports (the MSI
 * window and other reserved regions are holes that no allocation crosses), cut to
 * {@code [base, limit)}. First fit at a requested alignment, or at an exact address (so that a
 * chunk adjacent in virtual addresses to one already mapped gets the adjacent IOVAs); coalescing on
 * release. Thread-safe (synchronized: called once per chunk, next to a kernel call).
 */
final class IovaAllocator {
    static final long PAGE = 4096;

    /** Free ranges: start to size. Never spans a hole between two usable ranges. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** The usable space: start to size (the ranges cut to [base, limit), page-aligned inward). */
    private final TreeMap<Long, Long> usable = new TreeMap<>();

    private final String space;

    private IovaAllocator(List<long[]> pieces) {
        List<String> text = new ArrayList<>();
        for (long[] piece : pieces) {
            usable.put(piece[0], piece[1]);
            free.put(piece[0], piece[1]);
            text.add("[" + hex(piece[0]) + ", " + hex(piece[0] + piece[1]) + ")");
        }
        this.space = String.join(" ", text);
    }

    /** An allocator over {@code [base, limit)}; both page-aligned, base < limit. */
    static IovaAllocator over(long base, long limit) {
        return over(List.of(), base, limit);
    }

    /**
     * An allocator over the usable {@code ranges} (all of {@code [base, limit)} when empty: the
     * kernel reported none) cut to {@code [base, limit)}.
     *
     * @throws IllegalArgumentException if base or limit is not page-aligned, {@code base <= 0},
     *     {@code limit <= base}, or no usable page is left
     */
    static IovaAllocator over(List<IovaRange> ranges, long base, long limit) {
        if (base % PAGE != 0 || limit % PAGE != 0 || base <= 0 || limit <= base) {
            throw new IllegalArgumentException(
                    "base=" + hex(base) + " limit=" + hex(limit) + " must be page-aligned with 0 < base < limit");
        }
        List<long[]> pieces = new ArrayList<>();
        if (ranges.isEmpty()) {
            pieces.add(new long[] {base, limit - base});
        }
        for (IovaRange range : ranges) {
            // inclusive end; ranges above 2^63 are beyond any IOMMU's address width and the limit
            long start = Math.max(base, (range.start() + PAGE - 1) & -PAGE);
            long end = range.end() < 0 ? limit : Math.min(limit, (range.end() + 1) & -PAGE);
            if (range.start() >= 0 && start < end) {
                pieces.add(new long[] {start, end - start});
            }
        }
        if (pieces.isEmpty()) {
            throw new IllegalArgumentException("base=" + hex(base) + " limit=" + hex(limit)
                    + " leave no usable IOVA page inside the kernel's ranges " + ranges
                    + "; set wd.mm.vfio.iova.base and wd.mm.vfio.iova.limit inside one of them");
        }
        return new IovaAllocator(pieces);
    }

    /**
     * A free range of {@code size} bytes at a multiple of {@code alignment}, or -1 if none fits.
     *
     * @param size a positive multiple of 4096
     * @param alignment a power of two {@code >= 4096}
     */
    synchronized long allocate(long size, long alignment) {
        checkSize(size);
        if (alignment < PAGE || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment=" + alignment + " must be a power of two >= " + PAGE);
        }
        for (Map.Entry<Long, Long> hole : free.entrySet()) {
            long start = (hole.getKey() + alignment - 1) & -alignment;
            long end = hole.getKey() + hole.getValue();
            if (start >= hole.getKey() && start < end && end - start >= size) {
                carve(hole.getKey(), hole.getValue(), start, size);
                return start;
            }
        }
        return -1;
    }

    /**
     * Takes exactly {@code [start, start + size)} if all of it is free.
     *
     * @return true if taken, false (nothing changed) if any of it is in use or unusable
     */
    synchronized boolean allocateAt(long start, long size) {
        checkSize(size);
        if (start <= 0 || start % PAGE != 0 || start + size < start) {
            return false;
        }
        Map.Entry<Long, Long> hole = free.floorEntry(start);
        if (hole == null || hole.getKey() + hole.getValue() < start + size) {
            return false;
        }
        carve(hole.getKey(), hole.getValue(), start, size);
        return true;
    }

    /**
     * The IOVA that mirrors {@code va} in the largest usable piece: its start (aligned up to
     * {@code alignment}) plus {@code va} modulo the piece's aligned length. Chunks adjacent in
     * virtual addresses thus get adjacent IOVAs, in whichever order they are acquired, unless they
     * straddle the point where the modulo wraps. Not reserved: take it with {@link #allocateAt}.
     *
     * @param va an address aligned to {@code alignment}
     * @param size bytes
     * @param alignment a power of two {@code >= 4096}
     * @return the IOVA, or -1 if the piece is too small for {@code size}
     */
    synchronized long mirror(long va, long size, long alignment) {
        Map.Entry<Long, Long> largest = null;
        for (Map.Entry<Long, Long> piece : usable.entrySet()) {
            if (largest == null || piece.getValue() > largest.getValue()) {
                largest = piece;
            }
        }
        long start = (largest.getKey() + alignment - 1) & -alignment;
        long end = largest.getKey() + largest.getValue();
        long length = (end - start) & -alignment;
        if (start >= end || length < size) {
            return -1;
        }
        long iova = start + Math.floorMod(va, length);
        return iova + size <= end ? iova : -1;
    }

    private void carve(long holeStart, long holeSize, long start, long size) {
        free.remove(holeStart);
        if (start > holeStart) {
            free.put(holeStart, start - holeStart);
        }
        long holeEnd = holeStart + holeSize;
        if (start + size < holeEnd) {
            free.put(start + size, holeEnd - start - size);
        }
    }

    /**
     * Gives back a range from {@link #allocate} or {@link #allocateAt}.
     *
     * @throws IllegalStateException if any of it is free already or outside the usable space
     */
    synchronized void release(long start, long size) {
        checkSize(size);
        Map.Entry<Long, Long> space = usable.floorEntry(start);
        Map.Entry<Long, Long> below = free.floorEntry(start);
        Map.Entry<Long, Long> above = free.ceilingEntry(start);
        if (space == null
                || start + size > space.getKey() + space.getValue()
                || start + size < start
                || (below != null && below.getKey() + below.getValue() > start)
                || (above != null && start + size > above.getKey())) {
            throw new IllegalStateException("iova=" + hex(start) + " size=" + size + " is not allocated");
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

    /** The usable space, e.g. {@code [0x100000000, 0x8000000000)}. */
    String space() {
        return space;
    }

    private static void checkSize(long size) {
        if (size <= 0 || size % PAGE != 0) {
            throw new IllegalArgumentException("size=" + size + " must be a positive multiple of " + PAGE);
        }
    }
}
