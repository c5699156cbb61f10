package dev.wdmm.backend.sva;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.memory.AllocationRegistry;
import dev.wdmm.core.memory.PageDirectory;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Identity-mapping bridge: each allocation is its own shared {@link Arena} (64-byte aligned,
 * page-aligned from 4 KiB), tracked in an {@link AllocationRegistry} so foreign, interior and
 * double frees and maps of memory it does not own are refused. Because each segment belongs to its
 * own arena, touching it after {@link #free} or {@link #close()} throws
 * {@link IllegalStateException} instead of reaching freed memory.
 *
 * <p>Maps of allocations of a page or more find their owner in O(1) through a
 * {@link PageDirectory} (4 KiB pages) in which every page the allocation overlaps points to its
 * immutable {@code Allocation} record: such allocations start on a page boundary, so no two of
 * them share a page (only the tail of a last, partial page may hold small allocations). Smaller
 * allocations are 64-byte aligned and may share a page with each other, so they are not put in the
 * directory: their maps miss there (or hit a large neighbour that does not contain the range) and
 * are answered by the registry, as are refused maps, so that the refusal names its reason. The
 * directory entry is written before the allocation is registered and cleared after it is removed,
 * before its arena is closed, so a directory hit is always a live allocation.
 *
 * <p>Thread-safe: maps and unmaps take no lock and allocate nothing on the directory path;
 * directory writes (alloc, free) are serialized by the directory. {@link #close()} marks the bridge
 * closed, then drains and releases every live allocation; an alloc racing it sees the mark after
 * registering and releases its own allocation (or finds that close did).
 */
final class SvaBridge implements WdMmBridge {
    static final long PAGE = 4096;
    static final int PAGE_SHIFT = 12;
    static final long SMALL_ALIGNMENT = 64;
    /** Largest single allocation: 1 TiB (a larger request is a caller's mistake, not exhaustion). */
    static final long MAX_SIZE = 1L << 40;
    private static final String OWNER = "sva bridge";

    private final boolean prefault;
    private final AllocationRegistry<Allocation> registry = new AllocationRegistry<>(OWNER);
    private final PageDirectory<Allocation> directory = PageDirectory.create(PAGE_SHIFT);
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * One live allocation.
     *
     * @param address start address
     * @param size bytes the caller asked for
     * @param arena the arena that owns the memory
     */
    private record Allocation(long address, long size, Arena arena) {
        /** Whether {@code [va, va + length)} ({@code length > 0}) lies inside the allocation. */
        boolean contains(long va, long length) {
            long offset = va - address;
            return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
        }

        /** Whether the allocation owns its pages in the directory (page-aligned, a page or more). */
        boolean inDirectory() {
            return size >= PAGE;
        }
    }

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
        Allocation allocation = new Allocation(segment.address(), size, arena);
        if (allocation.inDirectory()) {
            directory.set(allocation.address(), size, allocation); // first, so that a racing close() clears it
        }
        registry.register(allocation.address(), size, allocation);
        if (closed.get()) {
            try {
                release(registry.remove(allocation.address()).attachment());
            } catch (IllegalArgumentException alreadyDrained) {
                // close() drained and released it
            }
            throw new WdClosedException("alloc(size=" + size + ") on a closed " + OWNER);
        }
        return segment;
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        requireOpen("free");
        release(registry.remove(segment.address()).attachment());
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        requireOpen("iovaMap");
        requireOwned(segment.address(), size);
        return segment.address();
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        requireOpen("iovaUnmap");
        requireOwned(segment.address(), size);
        if (iova != segment.address()) {
            throw new IllegalArgumentException("iova=" + hex(iova) + " must be " + hex(segment.address())
                    + ", what iovaMap gives for va=" + hex(segment.address()) + " size=" + size + " (sva: IOVA == va)");
        }
    }

    /** Frees every allocation still live. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (AllocationRegistry.Entry<Allocation> entry : registry.drain()) {
                release(entry.attachment());
            }
        }
    }

    /**
     * Checks that a live allocation contains the whole range: one directory lookup; when that
     * misses (a small allocation, a racing alloc, or memory not owned), the registry finds it or
     * throws the ownership exception naming the reason.
     */
    private void requireOwned(long va, long size) {
        Allocation allocation = directory.find(va);
        if (allocation == null || !allocation.contains(va, size)) {
            registry.find(va, size);
        }
    }

    /** Forgets the allocation's pages in the directory (before the memory can be reused), then closes its arena. */
    private void release(Allocation allocation) {
        if (allocation.inDirectory()) {
            directory.clear(allocation.address(), allocation.size());
        }
        allocation.arena().close();
    }

    private void requireOpen(String operation) {
        if (closed.get()) {
            throw new WdClosedException(operation + " on a closed " + OWNER);
        }
    }

    @Override
    public String toString() {
        return "SvaBridge[prefault=" + prefault + ", live=" + registry.size() + (closed.get() ? ", closed" : "") + "]";
    }
}
