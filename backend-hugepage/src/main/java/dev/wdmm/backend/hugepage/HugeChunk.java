package dev.wdmm.backend.hugepage;

import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.table.TranslationTable;
import java.lang.foreign.MemorySegment;

/**
 * A mapping of whole pinned huge pages as the allocator sees it: IOVAs come from the page source's
 * translation table, where every huge page was registered after pinning. Immutable; thread-safe.
 */
final class HugeChunk implements ChunkMemory {
    private final MemorySegment mapping;
    private final TranslationTable table;
    private final long iova;

    HugeChunk(MemorySegment mapping, TranslationTable table) {
        this.mapping = mapping;
        this.table = table;
        long base = mapping.address();
        this.iova = table.contiguousLength(base, mapping.byteSize()) == mapping.byteSize()
                ? table.translate(base)
                : NOT_CONTIGUOUS;
    }

    @Override
    public MemorySegment segment() {
        return mapping;
    }

    @Override
    public long iova() {
        return iova;
    }

    /** A table lookup per huge page; a break between physically non-adjacent huge pages is named. */
    @Override
    public long translate(long address, long size) {
        return table.translate(address, size);
    }

    @Override
    public long contiguousLength(long address, long limit) {
        return table.contiguousLength(address, limit);
    }

    @Override
    public String toString() {
        return "HugeChunk[va=0x" + Long.toHexString(mapping.address()) + ", bytes=" + mapping.byteSize() + "]";
    }
}
