package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdAllocationException;

/**
 * How a backend gets memory for a {@link ChunkAllocator}: acquires a chunk (mapped, held in place
 * as the backend needs, translated), and releases it. The allocator carves size classes out of
 * chunks of {@link #chunkSize()} bytes and asks for a chunk of its own (a run) for each allocation
 * larger than its largest class.
 *
 * <p><b>Thread-safety:</b> {@link #acquire} and {@link #release} may be called from many threads
 * at once. The allocator calls {@link #close()} once, after releasing every chunk.
 */
public interface ChunkSource {

    /**
     * Bytes of a chunk carved into size classes, and the alignment of every chunk's address
     * (runs included): a power of two, {@code >= 4096}.
     *
     * @return bytes
     */
    long chunkSize();

    /**
     * The unit of a run's size: a run of {@code n} bytes is acquired as {@code n} rounded up to a
     * multiple of it (4 KiB for base pages, the huge page size for huge pages). A power of two
     * {@code <= chunkSize()}.
     *
     * @return bytes
     */
    long granule();

    /**
     * Maps, holds in place and translates a chunk.
     *
     * @param bytes {@link #chunkSize()}, or a multiple of {@link #granule()} for a run
     * @param requested the caller's allocation size, for messages
     * @return the chunk, or null on a shortage that giving back empty chunks may cure (a cap, the
     *     kernel out of pages, a pin refused for want of budget); {@link #exhausted} then says why
     * @throws WdAllocationException for a request that can never succeed here (named, with the rule)
     * @throws dev.wdmm.api.WdNativeException if a native call fails otherwise (nothing is kept)
     */
    ChunkMemory acquire(long bytes, long requested);

    /**
     * Counts a failed allocation and describes it: what was asked, what the source holds, why the
     * last {@link #acquire} returned null, and the fix.
     *
     * @param requested the caller's allocation size
     * @param bytes the chunk bytes it needed
     * @return the exception for the allocator to throw
     */
    WdAllocationException exhausted(long requested, long bytes);

    /**
     * Releases a chunk this source acquired: no longer held in place, unmapped (its segment's
     * scope closed first). The allocator guarantees that no address inside it is handed out any
     * more.
     *
     * @param chunk what {@link #acquire} returned
     */
    void release(ChunkMemory chunk);

    /**
     * How the pages of a chunk are held in place, for reports, e.g. {@code "one long-term pin per
     * chunk"} or {@code "not held (IOVA == virtual address)"}.
     *
     * @return a short phrase
     */
    String holding();

    /**
     * How this source holds memory the application registers ({@link dev.wdmm.api.WdRegistration}),
     * or null where the backend cannot (the allocator then offers no registration). The allocator
     * asks once, when it opens, and closes the holder before {@link #close()}.
     *
     * @return the holder, or null (the default)
     */
    default ExternalHolder externalHolder() {
        return null;
    }

    /** Closes what the source holds beyond its chunks (pins, files); called once, after every release. */
    void close();
}
