package dev.wdmm.memory.alloc;

import java.lang.foreign.MemorySegment;

/**
 * One chunk of memory a {@link ChunkSource} acquired: its mapping and how its addresses reach the
 * device. Immutable from the allocator's point of view; every method may be called from many
 * threads at once, and without a lock (the translation of a chunk never changes while it is held).
 */
public interface ChunkMemory {
    /** What {@link #iova()} returns when the chunk is not one IOVA-contiguous range. */
    long NOT_CONTIGUOUS = -1L;

    /**
     * The chunk's memory: its address is a multiple of {@link ChunkSource#chunkSize()}, its size
     * the bytes asked of {@link ChunkSource#acquire}, and its scope ends when the source releases
     * it (so slices of it throw {@link IllegalStateException} instead of touching released memory).
     *
     * @return the segment, the same one every time
     */
    MemorySegment segment();

    /**
     * The IOVA of the chunk's first byte when the whole chunk is one IOVA-contiguous range (then
     * the IOVA of any address inside is this plus its offset), else {@link #NOT_CONTIGUOUS}.
     *
     * @return the IOVA or {@link #NOT_CONTIGUOUS}
     */
    long iova();

    /**
     * The IOVA of {@code [address, address + size)}, valid for the whole range. The caller
     * guarantees that the range lies inside the chunk.
     *
     * @param address inside the chunk
     * @param size bytes, {@code > 0}, not past the chunk's end
     * @return the IOVA of {@code address}
     * @throws dev.wdmm.api.WdMappingException if the range is not IOVA-contiguous;
     *     {@code breakOffset} is where contiguity breaks, counted from {@code address}
     */
    long translate(long address, long size);

    /**
     * How many bytes from {@code address} on (at most {@code limit}) are IOVA-contiguous. The
     * caller guarantees that {@code [address, address + limit)} lies inside the chunk.
     *
     * @param address inside the chunk
     * @param limit bytes, {@code > 0}
     * @return bytes in {@code [1, limit]}
     */
    long contiguousLength(long address, long limit);
}
