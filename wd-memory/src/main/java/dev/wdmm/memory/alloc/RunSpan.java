package dev.wdmm.memory.alloc;

/**
 * A large allocation: a chunk of its own handed out as one block, released when freed. The
 * {@code freed} flag is written under the run's monitor so that one of two racing frees wins.
 */
final class RunSpan extends Span {
    private final long size;
    private volatile boolean freed;
    /** The run's one map record ({@link MapRecords}). */
    private final long[] maps = new long[1];

    private RunSpan(ChunkMemory memory, long size) {
        super(memory);
        this.size = size;
    }

    /**
     * A live run.
     *
     * @param memory the chunk
     * @param size the requested size, {@code <=} the chunk's bytes
     * @return the run
     */
    static RunSpan of(ChunkMemory memory, long size) {
        return new RunSpan(memory, size);
    }

    @Override
    int mapIndex(long start) {
        return 0;
    }

    @Override
    long[] maps() {
        return maps;
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
