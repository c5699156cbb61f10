package dev.wdmm.memory.alloc;

import dev.wdmm.memory.nativeio.Pagemap;
import java.lang.foreign.MemorySegment;

/**
 * How a backend holds and translates memory the application registers
 * ({@link dev.wdmm.api.WdRegistration}): the chunk allocator checks the arguments (native,
 * page-aligned, overlapping neither its chunks nor another registration), then asks this holder to
 * hold the range in place and translate it, and gives it back on the last unregister or on close.
 * A {@link ChunkSource} offers one through {@link ChunkSource#externalHolder()}.
 *
 * <p><b>Thread-safety:</b> the allocator calls {@link #hold} and {@link #release} one at a time
 * (registrations are serialized), and {@link #close()} once, after releasing every registration.
 */
public interface ExternalHolder {

    /**
     * Holds {@code segment} in place and returns its translation, whose
     * {@link ChunkMemory#segment()} is {@code segment} itself (the caller's scope).
     *
     * @param segment native, page-aligned memory the caller owns, checked by the allocator
     * @return the translation
     * @throws dev.wdmm.api.WdRegistrationException with reason {@code CANNOT_HOLD}, the cause and
     *     the fix, if the memory cannot be held here; nothing is kept then
     */
    ChunkMemory hold(MemorySegment segment);

    /**
     * Releases what {@link #hold} returned (unpins, unmaps from the IOMMU); the memory stays mapped.
     *
     * @param held what {@link #hold} returned
     */
    void release(ChunkMemory held);

    /**
     * How registered memory is held, for reports.
     *
     * @return a short phrase
     */
    String holding();

    /** Closes what the holder keeps beyond its registrations (pins); called once, after every release. */
    void close();

    /**
     * The holder for SVA: nothing to hold, the IOVA is the address.
     *
     * @return the holder
     */
    static ExternalHolder identity() {
        return IdentityHolder.INSTANCE;
    }

    /**
     * The holder for physical addresses: one long-term pin per registration (taken through
     * {@link dev.wdmm.memory.nativeio.LongTermPins}, opened on the first registration), then the frame
     * numbers read from {@code pagemap}.
     *
     * @param owner the bridge's name, for messages
     * @param pagemap the process's pagemap (kept open by the caller)
     * @return the holder
     * @throws NullPointerException if an argument is null
     */
    static ExternalHolder pinned(String owner, Pagemap pagemap) {
        return new PinnedHolder(owner, pagemap);
    }
}
