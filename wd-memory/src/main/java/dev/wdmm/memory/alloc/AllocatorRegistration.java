package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdRegistration;
import java.lang.foreign.MemorySegment;

/**
 * {@link WdRegistration} over a {@link StripedAllocator}'s {@link Registrations} (see there for
 * the rules). Thread-safe; shares the allocator's lifetime.
 */
final class AllocatorRegistration implements WdRegistration {
    private final StripedAllocator allocator;
    private final Registrations registrations;

    AllocatorRegistration(StripedAllocator allocator, Registrations registrations) {
        this.allocator = allocator;
        this.registrations = registrations;
    }

    @Override
    public void register(MemorySegment segment) {
        synchronized (allocator) {
            allocator.ensureOpen("register", segment == null ? 0 : segment.address());
            registrations.register(segment, this::chunkOverlapping);
        }
    }

    /** The start of an allocator chunk overlapping {@code [va, va + size)}, or -1. */
    private long chunkOverlapping(long va, long size) {
        long end = va + size;
        long chunkSize = allocator.chunkSize();
        for (long slot = va & -chunkSize; Long.compareUnsigned(slot, end) < 0; slot += chunkSize) {
            Span span = allocator.spanAt(slot);
            if (span != null
                    && Long.compareUnsigned(span.base, end) < 0
                    && Long.compareUnsigned(va, span.base + span.bytes) < 0) {
                return span.base;
            }
        }
        return -1;
    }

    @Override
    public void unregister(MemorySegment segment) {
        synchronized (allocator) {
            allocator.ensureOpen("unregister", segment == null ? 0 : segment.address());
            registrations.unregister(segment);
        }
    }

    @Override
    public long registeredBytes() {
        return allocator.isClosed() ? 0 : registrations.registeredBytes();
    }

    @Override
    public String holding() {
        return registrations.holding();
    }

    @Override
    public String toString() {
        return "WdRegistration[" + allocator.owner() + ", registeredBytes=" + registeredBytes() + "]";
    }
}
