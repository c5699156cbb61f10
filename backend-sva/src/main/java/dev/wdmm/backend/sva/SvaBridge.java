package dev.wdmm.backend.sva;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.memory.AllocationRegistry;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Identity-mapping bridge: each allocation is its own shared {@link Arena} (64-byte aligned,
 * page-aligned from 4 KiB), tracked in an {@link AllocationRegistry} so foreign, interior and
 * double frees and maps of memory it does not own are refused. Because each segment belongs to its
 * own arena, touching it after {@link #free} or {@link #close()} throws
 * {@link IllegalStateException} instead of reaching freed memory. Thread-safe: operations share a
 * read lock, {@link #close()} takes the write lock so nothing races the final release.
 */
final class SvaBridge implements WdMmBridge {
    static final long PAGE = 4096;
    static final long SMALL_ALIGNMENT = 64;
    /** Largest single allocation: 1 TiB (a larger request is a caller's mistake, not exhaustion). */
    static final long MAX_SIZE = 1L << 40;

    private final boolean prefault;
    private final AllocationRegistry<Arena> registry = new AllocationRegistry<>("sva bridge");
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private SvaBridge(boolean prefault) {
        this.prefault = prefault;
    }

    static SvaBridge open(boolean prefault) {
        return new SvaBridge(prefault);
    }

    @Override
    public MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("size=" + size + " must be <= " + MAX_SIZE + " (1 TiB)");
        }
        lock.readLock().lock();
        try {
            requireOpen("alloc");
            Arena arena = Arena.ofShared();
            MemorySegment segment;
            try {
                segment = arena.allocate(size, size >= PAGE ? PAGE : SMALL_ALIGNMENT);
            } catch (OutOfMemoryError e) {
                arena.close();
                throw new WdAllocationException(size, "size=" + size + " refused: native memory exhausted (malloc failed)", e);
            }
            if (prefault) {
                for (long offset = 0; offset < size; offset += PAGE) {
                    segment.set(ValueLayout.JAVA_BYTE, offset, (byte) 0);
                }
            }
            registry.register(segment.address(), size, arena);
            return segment;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        lock.readLock().lock();
        try {
            requireOpen("free");
            registry.remove(segment.address()).attachment().close();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        lock.readLock().lock();
        try {
            requireOpen("iovaMap");
            registry.find(segment.address(), size);
            return segment.address();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        lock.readLock().lock();
        try {
            requireOpen("iovaUnmap");
            registry.find(segment.address(), size);
            if (iova != segment.address()) {
                throw new IllegalArgumentException("iova=" + hex(iova) + " must be " + hex(segment.address())
                        + ", what iovaMap gives for va=" + hex(segment.address()) + " size=" + size + " (sva: IOVA == va)");
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            registry.drain().forEach(entry -> entry.attachment().close());
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void requireOpen(String operation) {
        if (closed) {
            throw new WdClosedException(operation + " on a closed sva bridge");
        }
    }

    @Override
    public String toString() {
        return "SvaBridge[prefault=" + prefault + ", live=" + registry.size() + "]";
    }
}
