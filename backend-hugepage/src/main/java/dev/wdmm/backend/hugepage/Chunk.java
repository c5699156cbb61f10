package dev.wdmm.backend.hugepage;

import java.lang.foreign.MemorySegment;

/**
 * One mapping of whole huge pages held by a bridge: a {@link ClassPage} carved into slots, or a
 * {@link Run} handed out whole. Knows its mapping; ownership rules live in the subclasses.
 */
abstract sealed class Chunk permits ClassPage, Run {
    private final MemorySegment mapping;
    private final long base;
    private final int pages;

    Chunk(MemorySegment mapping, int pages) {
        this.mapping = mapping;
        this.base = mapping.address();
        this.pages = pages;
    }

    /** The mapping as {@code NativeMemory.mmap} returned it. */
    final MemorySegment mapping() {
        return mapping;
    }

    /** The first address. */
    final long base() {
        return base;
    }

    /** Huge pages in the mapping. */
    final int pages() {
        return pages;
    }
}
