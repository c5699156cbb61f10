package dev.wdmm.backend.hugepage;

import java.lang.foreign.MemorySegment;

/**
 * A large allocation: a mapping of whole huge pages handed out as one block, unmapped when freed.
 * The {@code freed} flag is written under the run's monitor so that one of two racing frees wins.
 */
final class Run extends Chunk {
    private volatile boolean freed;

    private Run(MemorySegment mapping, int pages) {
        super(mapping, pages);
    }

    /**
     * A live run over {@code mapping}.
     *
     * @param mapping the huge page mapping
     * @param pages huge pages in it
     * @return the run
     */
    static Run of(MemorySegment mapping, int pages) {
        return new Run(mapping, pages);
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
