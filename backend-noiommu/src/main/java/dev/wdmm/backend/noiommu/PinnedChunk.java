package dev.wdmm.backend.noiommu;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.nativeio.LongTermPins;
import java.lang.foreign.MemorySegment;

/**
 * A pinned chunk of base pages and its physical layout: the frame number of each page, read from
 * pagemap once, after pinning (pinned pages do not move), and for each page the last page of its
 * physically contiguous run, so that every map and contiguity query is arithmetic. Immutable;
 * thread-safe.
 */
final class PinnedChunk implements ChunkMemory {
    private static final int RUN_BITS = 16;
    private static final int RUN_MAX = (1 << RUN_BITS) - 1;

    private final MemorySegment mapping;
    private final LongTermPins.Pin pin;
    private final long base;
    private final int pageShift;
    private final long pageMask;
    private final long[] frames;
    private final int[] runEnd;
    /**
     * One dense record per page, for the hot path: {@code frame << RUN_BITS | n}, n the pages after
     * this one in its physically contiguous run (at most {@code 2^RUN_BITS - 1}).
     */
    private final long[] pages;

    private final long iova;

    PinnedChunk(MemorySegment mapping, LongTermPins.Pin pin, long[] frames, int pageShift) {
        this.mapping = mapping;
        this.pin = pin;
        this.base = mapping.address();
        this.pageShift = pageShift;
        this.pageMask = (1L << pageShift) - 1;
        this.frames = frames;
        this.runEnd = runEnds(frames);
        this.pages = new long[frames.length];
        for (int i = 0; i < frames.length; i++) {
            pages[i] = frames[i] << RUN_BITS | Math.min(runEnd[i] - i, RUN_MAX);
        }
        this.iova = runEnd[0] == frames.length - 1 ? frames[0] << pageShift : NOT_CONTIGUOUS;
    }

    @Override
    public MemorySegment segment() {
        return mapping;
    }

    /** What holds the chunk's pages in place. */
    LongTermPins.Pin pin() {
        return pin;
    }

    @Override
    public long iova() {
        return iova;
    }

    /** Frame arithmetic when the range's pages are physically adjacent; else the break offset and both addresses. */
    @Override
    public long translate(long va, long size) {
        long offset = va - base;
        int first = (int) (offset >>> pageShift);
        int last = (int) ((offset + size - 1) >>> pageShift);
        long page = pages[first];
        if (last - first <= (int) (page & RUN_MAX)) {
            return (page >>> RUN_BITS << pageShift) | (offset & pageMask);
        }
        int end = runEnd[first];
        if (end < last) {
            long breakOffset = ((long) (end + 1) << pageShift) - offset;
            throw new WdMappingException(
                    va,
                    size,
                    breakOffset,
                    "va=" + hex(va) + " size=" + size
                            + " is not physically contiguous: contiguity breaks at offset=" + breakOffset + " (va="
                            + hex(va + breakOffset) + " is at pa=" + hex(frames[end + 1] << pageShift) + ", not pa="
                            + hex((frames[end] + 1) << pageShift) + "); map at most " + breakOffset
                            + " bytes from here, or split the range (contiguousLength, or a scatter-gather list)");
        }
        return (frames[first] << pageShift) | (offset & pageMask);
    }

    @Override
    public long contiguousLength(long va, long limit) {
        long offset = va - base;
        int first = (int) (offset >>> pageShift);
        long runBytes = ((long) (runEnd[first] + 1) << pageShift) - offset;
        return Math.min(limit, runBytes);
    }

    private static int[] runEnds(long[] frames) {
        int[] runEnd = new int[frames.length];
        runEnd[frames.length - 1] = frames.length - 1;
        for (int i = frames.length - 2; i >= 0; i--) {
            runEnd[i] = frames[i + 1] == frames[i] + 1 ? runEnd[i + 1] : i;
        }
        return runEnd;
    }

    @Override
    public String toString() {
        return "PinnedChunk[va=" + hex(base) + ", bytes=" + mapping.byteSize() + "]";
    }
}
