package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One allocation of a {@link CheckedAllocator}: its site, and for the segment API its own shared
 * arena and the segment in it. Live until {@link #retire} closes the scope; then it waits in the
 * {@link Quarantine} until really freed. Retiring and closing happen under this object's monitor,
 * so that of two racing frees exactly one wins and close never closes a scope twice.
 */
final class TrackedAllocation {
    final AllocationSite site;
    /** The allocation's own scope, or null for the address API (no segment handed out). */
    private final Arena arena;
    /** The segment handed out, in {@link #arena}; null for the address API. */
    final MemorySegment segment;

    private boolean retired;

    private TrackedAllocation(AllocationSite site, Arena arena, MemorySegment segment) {
        this.site = site;
        this.arena = arena;
        this.segment = segment;
    }

    /** An allocation handed out as an address only. */
    static TrackedAllocation address(AllocationSite site) {
        return new TrackedAllocation(site, null, null);
    }

    /** An allocation handed out as a segment with a scope of its own. */
    @SuppressWarnings("restricted") // the allocator owns [address, address + size) until this scope is closed
    static TrackedAllocation scoped(AllocationSite site) {
        Arena arena = Arena.ofShared();
        MemorySegment segment = MemorySegment.ofAddress(site.address()).reinterpret(site.size(), arena, null);
        return new TrackedAllocation(site, arena, segment);
    }

    long address() {
        return site.address();
    }

    long size() {
        return site.size();
    }

    /** Whether {@code address} lies inside the allocation (its requested size). */
    boolean covers(long address) {
        return Long.compareUnsigned(address - site.address(), site.size()) < 0;
    }

    /**
     * Ends the allocation for its caller: closes its scope, so every later access through its
     * segment throws.
     *
     * @param owner the allocator's owner, for the message
     * @throws WdOwnershipException {@code ALREADY_FREED} if it was retired before
     * @throws IllegalStateException if the segment is in use by a native call (its scope cannot be
     *     closed); nothing changes
     */
    synchronized void retire(String owner) {
        if (retired) {
            throw new WdOwnershipException(
                    site.address(),
                    WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(site.address()) + " was already freed by this " + owner + " (checked mode)");
        }
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
        retired = true;
    }

    /** Whether {@link #retire} succeeded. */
    synchronized boolean isRetired() {
        return retired;
    }

    /**
     * Closes the scope if it is still open (close of the allocator, or an allocation that lost a
     * race with close). A scope held by a native call cannot be closed; it is left as it is.
     */
    synchronized void closeScope() {
        if (arena != null && arena.scope().isAlive()) {
            try {
                arena.close();
            } catch (IllegalStateException inUse) {
                // acquired by a native call still running: nothing safe to do but leave it
            }
        }
    }
}
