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
            registrations.register(segment, allocator::chunkOverlapping);
        }
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
