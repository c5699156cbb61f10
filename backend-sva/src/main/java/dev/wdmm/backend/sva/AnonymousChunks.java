package dev.wdmm.backend.sva;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.alloc.ChunkSource;
import dev.wdmm.memory.alloc.ExternalHolder;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Numa;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The sva bridge's chunk source: ordinary anonymous memory in 2 MiB-aligned chunks (transparent
 * huge pages requested with {@code MADV_HUGEPAGE} where the kernel has them), IOVA == virtual
 * address. Nothing is pinned: with SVA the device shares the process's page tables and faults
 * pages in itself. With {@code prefault}, every page of a chunk is touched when it is acquired, so
 * allocations carved from it never make the device fault. Thread-safe.
 */
final class AnonymousChunks implements ChunkSource {
    /** Bytes of a chunk, and the alignment of every chunk. */
    static final long CHUNK_SIZE = 2L << 20;

    private static final long PAGE = NativeMemory.pageSize();

    private final boolean prefault;
    private volatile WdNativeException lastRefusal;

    private final int node;

    AnonymousChunks(boolean prefault, int node) {
        this.prefault = prefault;
        this.node = node;
    }

    @Override
    public long chunkSize() {
        return CHUNK_SIZE;
    }

    @Override
    public long granule() {
        return PAGE;
    }

    @Override
    public ChunkMemory acquire(long bytes, long requested) {
        MemorySegment segment;
        try {
            segment = NativeMemory.mmapAligned(
                    bytes, CHUNK_SIZE, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
        } catch (WdNativeException e) {
            lastRefusal = e;
            return null;
        }
        if (node != Numa.NO_NODE) {
            try {
                Numa.bind(segment, node); // before any page is touched: they come from the node
            } catch (WdNativeException e) {
                NativeMemory.munmap(segment);
                lastRefusal = e;
                return null;
            }
        }
        try {
            NativeMemory.madvise(segment, NativeMemory.MADV_HUGEPAGE);
        } catch (WdNativeException noThp) {
            // a kernel without transparent huge pages: 4 KiB pages serve as well
        }
        if (prefault) {
            for (long offset = 0; offset < bytes; offset += PAGE) {
                segment.set(ValueLayout.JAVA_BYTE, offset, (byte) 0);
            }
        }
        return ExternalHolder.identity().hold(segment); // IOVA == virtual address, as for registered memory
    }

    @Override
    public WdAllocationException exhausted(long requested, long bytes) {
        WdNativeException refusal = lastRefusal;
        return new WdAllocationException(
                requested,
                "size=" + requested + " refused: chunk_bytes=" + bytes
                        + " cannot be mapped (native memory exhausted"
                        + (refusal == null
                                ? ""
                                : ": mmap errno=" + refusal.errno() + " " + NativeMemory.strerror(refusal.errno()))
                        + "); free allocations, or raise the memory available to this process",
                refusal);
    }

    @Override
    public void release(ChunkMemory chunk) {
        NativeMemory.munmap(chunk.segment());
    }

    @Override
    public ExternalHolder externalHolder() {
        return ExternalHolder.identity();
    }

    @Override
    public String holding() {
        return "not held in place (IOVA == virtual address: the device shares the page tables)";
    }

    @Override
    public void close() {
        // nothing beyond the chunks
    }
}
