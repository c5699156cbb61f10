package dev.wdmm.memory.alloc;

import dev.wdmm.api.WdStats;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A general allocator over the chunks of a {@link ChunkSource}, with the address API a bridge
 * builds on. Sizes up to {@link #largestClass()} come from power-of-two size classes (64 B and up)
 * carved from chunks; a slot is aligned to its class size and never crosses its chunk. Larger
 * sizes get a run of their own, released when freed. An emptied chunk is given back to the source
 * when its bin already keeps {@link AllocatorSettings#retainEmpty()} empty chunks.
 *
 * <p><b>Thread caches:</b> each thread keeps a small cache of free slots per size class (about
 * 256 KiB of each class, 1 to 32 slots), filled from and given back to the shared bins in
 * batches, so a small allocation or free takes no lock. A slot freed by any thread goes to that
 * thread's cache. The caches of threads that ended are given back when new threads register or
 * when the source runs short; a shortage also empties the calling thread's cache. Cached slots
 * keep their chunk held (and count in {@link #heldChunks()}), never in {@link #liveAllocations()}.
 * With {@link AllocatorSettings#retainEmpty()} 0 nothing is cached: every free gives its slot back
 * at once, and a chunk it empties goes back to the source at once.
 *
 * <p><b>Garbage:</b> {@link #allocAddress}, {@link #freeAddress}, {@link #iovaMapAddress} and
 * {@link #contiguousLength} allocate no Java object unless they throw or acquire a chunk;
 * {@link #alloc} allocates only the segment it returns.
 *
 * <p><b>Lifetime:</b> {@link #alloc} returns a slice of the chunk's mapping: once the chunk is
 * released (a run freed, an empty chunk given back, {@link #close()}), access through it throws
 * {@link IllegalStateException}. This costs nothing per allocation; access after {@code free}
 * while the chunk is still held reaches memory the allocator owns (no crash, no error). In
 * checked mode ({@link AllocatorSettings#checked()}, {@link CheckedMode}) each segment has a
 * scope of its own, closed by {@code free}, freed memory waits in a quarantine before reuse, and
 * the site of each live allocation is recorded ({@link #liveSites()}).
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once. A small
 * allocation or free locks one bin only when its thread's cache is empty or full; lookups take no
 * lock. Of two racing frees of one allocation exactly one succeeds. {@link #close()} releases every chunk, even with
 * allocations outstanding; every call after it throws {@link dev.wdmm.api.WdClosedException}.
 */
public interface ChunkAllocator extends AutoCloseable {
    /** Largest request served: 2^46 bytes, far beyond any machine's memory. */
    long MAX_SIZE = 1L << 46;

    /**
     * Opens an allocator that owns {@code source} (it closes it).
     *
     * @param source where chunks come from
     * @param settings owner name, retention, stripes and checked mode
     * @return the allocator (in checked mode, a checking layer over the fast one)
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the source's chunk size or granule breaks its rules
     */
    static ChunkAllocator open(ChunkSource source, AllocatorSettings settings) {
        ChunkAllocator fast = StripedAllocator.open(source, settings);
        return settings.checked().enabled() ? CheckedAllocator.wrap(fast, settings.owner(), settings.checked()) : fast;
    }

    /**
     * Allocates {@code size} bytes.
     *
     * @param size bytes, {@code 0 < size <=} {@link #MAX_SIZE}
     * @return the start address; aligned to the size class (at least 64), or to the chunk for a run
     * @throws IllegalArgumentException naming the size and the rule
     * @throws dev.wdmm.api.WdAllocationException when the source has no more memory (why and fix named)
     * @throws dev.wdmm.api.WdClosedException after close
     */
    long allocAddress(long size);

    /**
     * Allocates like {@link #allocAddress} and returns the memory as a slice of its chunk's mapping
     * (in checked mode, a segment with a scope of its own that {@code free} closes).
     *
     * @param size bytes
     * @return a segment of exactly {@code size} bytes
     * @throws IllegalArgumentException naming the size and the rule
     * @throws dev.wdmm.api.WdAllocationException when the source has no more memory
     * @throws dev.wdmm.api.WdClosedException after close
     */
    MemorySegment alloc(long size);

    /**
     * Frees the allocation starting at {@code address}.
     *
     * @param address the start of a live allocation
     * @throws dev.wdmm.api.WdOwnershipException {@code FOREIGN}, {@code INTERIOR} or
     *     {@code ALREADY_FREED} (in checked mode also for an allocation still in quarantine);
     *     nothing changes
     * @throws IllegalStateException in checked mode, if the allocation's segment is in use by a
     *     native call (its scope cannot be closed); nothing changes
     * @throws dev.wdmm.api.WdClosedException after close
     */
    void freeAddress(long address);

    /**
     * The IOVA of {@code [address, address + size)}, which must lie inside one live allocation.
     * The map is recorded until {@link #iovaUnmapAddress} undoes it or the allocation is freed.
     *
     * @param address any address inside a live allocation
     * @param size bytes, {@code > 0}
     * @return the IOVA of {@code address}
     * @throws IllegalArgumentException if {@code size <= 0} or the range wraps
     * @throws dev.wdmm.api.WdOwnershipException if the address is not in a live allocation or the
     *     range runs past its end
     * @throws dev.wdmm.api.WdMappingException if the range is not IOVA-contiguous (break offset named)
     * @throws dev.wdmm.api.WdClosedException after close
     */
    long iovaMapAddress(long address, long size);

    /**
     * Undoes one {@link #iovaMapAddress} of exactly {@code [address, address + size)}; every map
     * of an allocation is recorded until unmapped or freed ({@link MapRecords} says how exactly); for
     * registered external memory it ends one of the registration's live mappings.
     *
     * @param address the start of the mapped range
     * @param iova what {@link #iovaMapAddress} returned for it
     * @param size the mapped bytes
     * @throws IllegalArgumentException if {@code size <= 0} or the range wraps; if {@code iova} is
     *     not the range's IOVA; if no map of exactly this range is outstanding (never mapped,
     *     already unmapped, another offset or size); nothing changes
     * @throws dev.wdmm.api.WdOwnershipException if the range is not inside a live allocation
     * @throws dev.wdmm.api.WdClosedException after close
     */
    void iovaUnmapAddress(long address, long iova, long size);

    /**
     * How many bytes from {@code address} on are IOVA-contiguous, at most {@code limit} and never
     * past the end of the allocation.
     *
     * @param address any address inside a live allocation
     * @param limit bytes, {@code > 0}
     * @return bytes in {@code [1, limit]}
     * @throws IllegalArgumentException if {@code limit <= 0}
     * @throws dev.wdmm.api.WdOwnershipException if the address is not in a live allocation
     * @throws dev.wdmm.api.WdClosedException after close
     */
    long contiguousLength(long address, long limit);

    /**
     * A capability of this allocator, for the bridge's {@code unwrap}: {@link dev.wdmm.api.WdIovaLookup}
     * (IOVA to address, over the chunks and registrations) and, where the source has an
     * {@link ExternalHolder}, {@link dev.wdmm.api.WdRegistration}. Each call may return a new object
     * sharing the allocator's state and lifetime.
     *
     * @param type the capability's interface
     * @param <T> the capability's type
     * @return the capability, or empty
     * @throws NullPointerException if {@code type} is null
     */
    default <T> java.util.Optional<T> capability(Class<T> type) {
        java.util.Objects.requireNonNull(type, "type is null");
        return java.util.Optional.empty();
    }

    /**
     * The largest size served from a size class; larger sizes get runs.
     *
     * @return bytes
     */
    long largestClass();

    /**
     * Live allocations (allocated and not yet freed; in checked mode, quarantined ones are not live).
     *
     * @return the count
     */
    long liveAllocations();

    /**
     * Chunks held now (class chunks, empty or not, and runs).
     *
     * @return the count
     */
    long heldChunks();

    /**
     * A snapshot of the accounting ({@link WdStats}): live allocations and bytes (summed over the
     * thread caches' own counters, exact when no other thread is in the allocator), allocations
     * made, failures, chunk bytes held by size, their peak and the limit
     * ({@link AllocatorSettings#limitBytes()}). No device mappings (a bridge that makes some adds them).
     *
     * @return the snapshot; after close, live figures and held bytes are 0
     */
    default WdStats stats() {
        return WdStats.notAccounted(toString());
    }

    /**
     * Whether this allocator runs in checked mode ({@link CheckedMode}).
     *
     * @return true in checked mode; false (the default) in fast mode
     */
    default boolean isChecked() {
        return false;
    }

    /**
     * Where each live allocation was made, in address order: recorded in checked mode only, for
     * leak reports and statistics. A snapshot; allocations freed meanwhile may still show.
     *
     * @return the sites; empty in fast mode
     */
    default List<AllocationSite> liveSites() {
        return List.of();
    }

    /**
     * Freed allocations held out of reuse by checked mode's quarantine now.
     *
     * @return the count; 0 in fast mode
     */
    default long quarantinedAllocations() {
        return 0;
    }

    /**
     * Bytes (requested sizes) held out of reuse by checked mode's quarantine now.
     *
     * @return bytes; 0 in fast mode
     */
    default long quarantinedBytes() {
        return 0;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    boolean isClosed();

    /**
     * Releases every chunk and closes the source. Idempotent; never throws for outstanding
     * allocations: it reports them ({@link LeakReports#closed}: count and bytes, and in checked mode
     * their sites) on the {@value LeakReports#LOGGER} logger.
     */
    @Override
    void close();
}
