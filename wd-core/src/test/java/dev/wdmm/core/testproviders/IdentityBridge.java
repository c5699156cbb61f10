package dev.wdmm.core.testproviders;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.table.AllocationRegistry;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A small identity bridge for core tests (the real one lives in backend-sva). */
public final class IdentityBridge implements WdMmBridge {
    private final AllocationRegistry<Arena> registry = new AllocationRegistry<>("test bridge");
    private volatile boolean closed;

    private IdentityBridge() {}

    /**
     * Opens one.
     *
     * @return a new bridge
     */
    public static IdentityBridge open() {
        return new IdentityBridge();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true after close
     */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        check();
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(size, 64);
        registry.register(segment.address(), size, arena);
        return segment;
    }

    @Override
    public synchronized void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        check();
        registry.remove(segment.address()).attachment().close();
    }

    @Override
    public synchronized long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        check();
        registry.find(segment.address(), size);
        return segment.address();
    }

    @Override
    public synchronized void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        check();
        registry.find(segment.address(), size);
        if (iova != segment.address()) {
            throw new IllegalArgumentException(
                    "iova=" + WdArguments.hex(iova) + " must be " + WdArguments.hex(segment.address()));
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            registry.drain().forEach(e -> e.attachment().close());
        }
    }

    private void check() {
        if (closed) {
            throw new WdClosedException("closed test bridge");
        }
    }
}
