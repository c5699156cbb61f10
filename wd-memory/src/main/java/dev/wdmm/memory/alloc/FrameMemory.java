package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.nativeio.LongTermPins;
import java.lang.foreign.MemorySegment;

/**
 * Pinned memory translated by its frame numbers (read after pinning), with, per page, the last page
 * of its physically contiguous run, so that maps and contiguity queries are arithmetic. The
 * translation of a registration held by {@link PinnedHolder}. Immutable; thread-safe.
 */
final class FrameMemory implements ChunkMemory {
    private static final int PAGE_SHIFT = 12;
    private static final long PAGE_MASK = (1L << PAGE_SHIFT) - 1;

    private final MemorySegment segment;
    private final LongTermPins.Pin pin;
    private final long base;
    private final long[] frames;
    private final int[] runEnd;
    private final long iova;

    FrameMemory(MemorySegment segment, LongTermPins.Pin pin, long[] frames) {
        this.segment = segment;
        this.pin = pin;
        this.base = segment.address();
        this.frames = frames;
        this.runEnd = new int[frames.length];
        runEnd[frames.length - 1] = frames.length - 1;
        for (int i = frames.length - 2; i >= 0; i--) {
            runEnd[i] = frames[i + 1] == frames[i] + 1 ? runEnd[i + 1] : i;
        }
        this.iova = runEnd[0] == frames.length - 1 ? frames[0] << PAGE_SHIFT : NOT_CONTIGUOUS;
    }

    LongTermPins.Pin pin() {
        return pin;
    }

    @Override
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long iova() {
        return iova;
    }

    @Override
    public long translate(long address, long size) {
        long offset = address - base;
        int first = (int) (offset >>> PAGE_SHIFT);
        int last = (int) ((offset + size - 1) >>> PAGE_SHIFT);
        int end = runEnd[first];
        if (end < last) {
            long breakOffset = ((long) (end + 1) << PAGE_SHIFT) - offset;
            throw new WdMappingException(
                    address,
                    size,
                    breakOffset,
                    "va=" + hex(address) + " size=" + size
                            + " (registered memory) is not physically contiguous: contiguity breaks at offset="
                            + breakOffset + " (va=" + hex(address + breakOffset) + " is at pa="
                            + hex(frames[end + 1] << PAGE_SHIFT) + ", not pa=" + hex((frames[end] + 1) << PAGE_SHIFT)
                            + "); map at most " + breakOffset
                            + " bytes from here, or split the range (contiguousLength, or a scatter-gather list)");
        }
        return (frames[first] << PAGE_SHIFT) | (offset & PAGE_MASK);
    }

    @Override
    public long contiguousLength(long address, long limit) {
        long offset = address - base;
        int first = (int) (offset >>> PAGE_SHIFT);
        return Math.min(limit, ((long) (runEnd[first] + 1) << PAGE_SHIFT) - offset);
    }

    @Override
    public String toString() {
        return "FrameMemory[va=" + hex(base) + ", bytes=" + segment.byteSize() + "]";
    }
}
