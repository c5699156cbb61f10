package dev.wdmm.backend.vfio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.memory.alloc.ChunkMemory;
import java.lang.foreign.MemorySegment;

/**
 * A chunk mapped into the container by one {@code VFIO_IOMMU_MAP_DMA}: the whole chunk is one
 * IOVA-contiguous range, so every translation is {@code iova + (address - start)}. Immutable;
 * thread-safe.
 *
 * @param segment the chunk's mapping, in the scope that the source closes on release
 * @param iova the IOVA of the chunk's first byte
 */
record VfioChunk(MemorySegment segment, long iova) implements ChunkMemory {
    @Override
    public long translate(long address, long size) {
        return iova + (address - segment.address());
    }

    @Override
    public long contiguousLength(long address, long limit) {
        return limit;
    }

    /** The first address past the chunk. */
    long end() {
        return segment.address() + segment.byteSize();
    }

    @Override
    public String toString() {
        return "VfioChunk[va=" + hex(segment.address()) + ", iova=" + hex(iova) + ", bytes=" + segment.byteSize() + "]";
    }
}
