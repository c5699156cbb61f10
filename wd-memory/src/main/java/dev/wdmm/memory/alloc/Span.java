package dev.wdmm.memory.alloc;

import java.lang.foreign.MemorySegment;

/**
 * One chunk held by the allocator: a {@link ClassSpan} carved into slots, or a {@link RunSpan}
 * handed out whole. Knows its memory; ownership rules live in the subclasses.
 */
abstract sealed class Span permits ClassSpan, RunSpan {
    /** What the source acquired. */
    final ChunkMemory memory;
    /** The chunk's mapping. */
    final MemorySegment segment;
    /** The first address. */
    final long base;
    /** Bytes of the chunk's mapping (kept here: the hot path reads it without touching the segment). */
    final long bytes;
    /** The IOVA of {@link #base} when the whole chunk is IOVA-contiguous, else {@link ChunkMemory#NOT_CONTIGUOUS}. */
    final long iova;

    Span(ChunkMemory memory) {
        this.memory = memory;
        this.segment = memory.segment();
        this.base = segment.address();
        this.bytes = segment.byteSize();
        this.iova = memory.iova();
    }

    /**
     * The map record of the live allocation starting at {@code start} (see {@link MapRecords}):
     * an {@code int} array holds none, so the record lives beside the size record.
     *
     * @param start the allocation's start
     * @return the record's index for {@link #maps()}
     */
    abstract int mapIndex(long start);

    /** The map records of this chunk's allocations, indexed by {@link #mapIndex}. */
    abstract long[] maps();

    /** The IOVA of {@code [address, address + size)}, inside the chunk: arithmetic when the chunk is contiguous. */
    final long translate(long address, long size) {
        return iova != ChunkMemory.NOT_CONTIGUOUS ? iova + (address - base) : memory.translate(address, size);
    }
}
