package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.nativeio.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Anonymous memory in aligned chunks with a cap on the chunks held; IOVA = address + a fixed
 * offset, except that with {@code breakAt > 0} the IOVA of every chunk jumps at that offset
 * (so the allocator's non-contiguous path is exercised).
 */
final class TestSource implements ChunkSource {
    static final long IOVA_OFFSET = 1L << 50;

    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    private final long chunkSize;
    private final int maxChunks;
    private final long breakAt;
    boolean closed;

    TestSource(long chunkSize, int maxChunks, long breakAt) {
        this.chunkSize = chunkSize;
        this.maxChunks = maxChunks;
        this.breakAt = breakAt;
    }

    @Override
    public long chunkSize() {
        return chunkSize;
    }

    @Override
    public long granule() {
        return 4096;
    }

    @Override
    public ChunkMemory acquire(long bytes, long requested) {
        if (held.incrementAndGet() > maxChunks) {
            held.decrementAndGet();
            return null;
        }
        MemorySegment segment = NativeMemory.mmapAligned(
                bytes, chunkSize, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
        return new ChunkMemory() {
            @Override
            public MemorySegment segment() {
                return segment;
            }

            @Override
            public long iova() {
                return breakAt > 0 ? NOT_CONTIGUOUS : segment.address() + IOVA_OFFSET;
            }

            @Override
            public long translate(long address, long size) {
                long offset = address - segment.address();
                if (breakAt > 0 && offset < breakAt && offset + size > breakAt) {
                    throw new WdMappingException(
                            address, size, breakAt - offset, "break at offset=" + (breakAt - offset));
                }
                return address + IOVA_OFFSET + (breakAt > 0 && offset >= breakAt ? 4096 : 0);
            }

            @Override
            public long contiguousLength(long address, long limit) {
                long offset = address - segment.address();
                return breakAt > 0 && offset < breakAt ? Math.min(limit, breakAt - offset) : limit;
            }
        };
    }

    @Override
    public WdAllocationException exhausted(long requested, long bytes) {
        return new WdAllocationException(
                requested, "requested=" + requested + " bytes=" + bytes + " max_chunks=" + maxChunks + " reached");
    }

    @Override
    public void release(ChunkMemory chunk) {
        NativeMemory.munmap(chunk.segment());
        held.decrementAndGet();
        released.incrementAndGet();
    }

    @Override
    public String holding() {
        return "not held (test)";
    }

    @Override
    public void close() {
        closed = true;
    }
}
