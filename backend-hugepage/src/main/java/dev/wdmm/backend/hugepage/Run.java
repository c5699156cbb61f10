package dev.wdmm.backend.hugepage;

import java.lang.foreign.MemorySegment;

/**
 * A large allocation: a mapping of whole huge pages handed out as one block, unmapped when freed.
 * The {@code freed} flag is written under the run's monitor so that one of two racing frees wins.
 */
final class Run extends Chunk {
    private final long size;
    private volatile boolean freed;

    private Run(MemorySegment mapping, int pages, long size) {
        super(mapping, pages);
        this.size = size;
    }

    /**
     * A live run over {@code mapping}.
     *
     * @param mapping the huge page mapping
     * @param pages huge pages in it
     * @param size the requested size, {@code <= mapping.byteSize()}
     * @return the run
     */
    static Run of(MemorySegment mapping, int pages, long size) {
        return new Run(mapping, pages, size);
    }

    /** The requested size: maps stop there. */
    long size() {
        return size;
    }

    /** Whether the run was freed (its memory is gone or going). */
    boolean isFreed() {
        return freed;
    }

    /**
     * Marks the run freed.
     *
     * @return true for the one caller that freed it, false if it already was
     */
    synchronized boolean markFreed() {
        if (freed) {
            return false;
        }
        freed = true;
        return true;
    }
}
