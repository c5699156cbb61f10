package dev.wdmm.memory.alloc;

import java.lang.foreign.MemorySegment;

/** {@link ExternalHolder#identity()}: IOVA == address, nothing held. Stateless, thread-safe. */
final class IdentityHolder implements ExternalHolder {
    static final IdentityHolder INSTANCE = new IdentityHolder();

    private IdentityHolder() {}

    @Override
    public ChunkMemory hold(MemorySegment segment) {
        return new Identity(segment);
    }

    @Override
    public void release(ChunkMemory held) {
        // nothing was held
    }

    @Override
    public String holding() {
        return "not held (IOVA == virtual address: the device shares the process's page tables)";
    }

    @Override
    public void close() {
        // nothing kept
    }

    /** The identity translation of one registered segment. */
    private record Identity(MemorySegment segment) implements ChunkMemory {
        @Override
        public long iova() {
            return segment.address();
        }

        @Override
        public long translate(long address, long size) {
            return address;
        }

        @Override
        public long contiguousLength(long address, long limit) {
            return limit;
        }
    }
}
