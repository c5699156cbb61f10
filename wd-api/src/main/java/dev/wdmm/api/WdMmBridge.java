package dev.wdmm.api;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The memory bridge: C's {@code struct wd_mm_br}. It allocates DMA-capable memory and gives the
 * device address (IOVA) of any range of it.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once (the seed's
 * "Precautions"); implementations must be safe for that.
 *
 * <p><b>Bad input:</b> every method refuses a null, non-native, zero-sized, overflowing,
 * foreign, interior, already freed or out-of-range argument with a specific exception whose
 * message names the value and the rule ({@code size=0 must be > 0}); a refused call changes
 * nothing. After {@link #close()} every method throws {@link WdClosedException}.
 *
 * <p><b>Capabilities:</b> what some bridges offer beyond this interface is reached with
 * {@link #unwrap(Class)}, never by a downcast to a backend's class: {@link WdAddressAccess} (the
 * object-free address API), {@link WdContiguity} (IOVA-contiguous lengths, for splitting into
 * SGL pieces), {@link WdDeviceAccess} (the device fd of a VFIO bridge).
 */
public interface WdMmBridge extends AutoCloseable {

    /**
     * Allocates {@code size} bytes: C's {@code wd_alloc(usr, size)}.
     *
     * @param size bytes, {@code > 0}
     * @return a native segment of exactly {@code size} bytes, never null; valid until freed
     * @throws IllegalArgumentException if {@code size <= 0} or over what the backend can serve
     * @throws WdAllocationException if the memory is exhausted
     * @throws WdClosedException after close
     */
    MemorySegment alloc(long size);

    /**
     * Releases an allocation by its start: C's {@code wd_free(usr, va)}. Only the address of
     * {@code segment} matters, so a segment rebuilt from the same address also works.
     *
     * @param segment a segment whose address is the start of a live allocation of this bridge
     * @throws NullPointerException if {@code segment} is null
     * @throws WdOwnershipException if the address is foreign, interior or already freed
     * @throws WdClosedException after close
     */
    void free(MemorySegment segment);

    /**
     * Returns the device address of {@code [segment.address(), segment.address() + size)}: C's
     * {@code wd_map(usr, va, sz)}. The IOVA is valid for the whole range.
     *
     * @param segment the start of the range; must cover {@code size} bytes
     * @param size bytes, {@code > 0} and {@code <= segment.byteSize()}
     * @return the IOVA of the first byte
     * @throws IllegalArgumentException if the range is empty, wraps or exceeds the segment
     * @throws WdOwnershipException if the range is not inside memory this bridge maps
     * @throws WdMappingException if the range cannot have one IOVA (e.g. not contiguous)
     * @throws WdClosedException after close
     */
    long iovaMap(MemorySegment segment, long size);

    /**
     * Undoes {@link #iovaMap}: C's {@code wd_unmap(usr, va, iova, sz)}. Each unmap undoes one map
     * of exactly the same range; a free drops the allocation's outstanding maps.
     *
     * @param segment the start of the mapped range
     * @param iova the IOVA that {@link #iovaMap} returned for it
     * @param size the size that was mapped
     * @throws NullPointerException if {@code segment} is null
     * @throws IllegalArgumentException if the arguments do not describe a mapping of this bridge
     *     (the IOVA does not match, the range is bad as for {@link #iovaMap}, or no map of exactly
     *     this range is outstanding: never mapped, already unmapped, another offset or size); the
     *     backends of this project refuse it at once while at most one map of the allocation is
     *     outstanding
     * @throws WdClosedException after close
     */
    void iovaUnmap(MemorySegment segment, long iova, long size);

    /**
     * The device address of a request's buffer, flat or SGL: for {@link WdBufferType#FLAT},
     * {@code iovaMap(dtb.data(), dtb.bsize())} of this bridge (release it with
     * {@link #iovaUnmap(WdDtb, long)}); for {@link WdBufferType#SGL}, the chain's head DMA address
     * {@link WdSgl#dma()} (the chain's images live in DMA memory already).
     *
     * @param dtb the buffer
     * @return the address to give the device
     * @throws NullPointerException if {@code dtb} is null
     * @throws IllegalArgumentException as {@link #iovaMap(MemorySegment, long)} for a flat buffer
     *     (a {@code bsize} of 0 included)
     * @throws IllegalStateException if an SGL buffer's chain was freed
     * @throws WdClosedException after close
     */
    default long iovaMap(WdDtb dtb) {
        java.util.Objects.requireNonNull(dtb, "dtb is null");
        return dtb.sgl() == null ? iovaMap(dtb.data(), dtb.bsize()) : dtb.sgl().dma();
    }

    /**
     * Releases what {@link #iovaMap(WdDtb)} gave: {@code iovaUnmap(dtb.data(), iova, dtb.bsize())}
     * for a flat buffer; for an SGL buffer it checks that {@code iova} is the chain's head DMA
     * address.
     *
     * @param dtb the buffer
     * @param iova what {@link #iovaMap(WdDtb)} returned for it
     * @throws NullPointerException if {@code dtb} is null
     * @throws IllegalArgumentException if {@code iova} is not what {@link #iovaMap(WdDtb)} gives
     * @throws IllegalStateException if an SGL buffer's chain was freed
     * @throws WdClosedException after close
     */
    default void iovaUnmap(WdDtb dtb, long iova) {
        if (java.util.Objects.requireNonNull(dtb, "dtb is null").sgl() == null) {
            iovaUnmap(dtb.data(), iova, dtb.bsize());
        } else {
            dtb.requireSglDma(iova);
        }
    }

    /**
     * The fixed buffer size of a pool-backed bridge: UADK's optional {@code get_bufsize}.
     *
     * @return the size of every buffer this bridge hands out, or empty where sizes vary
     */
    default OptionalLong bufferSize() {
        return OptionalLong.empty();
    }

    /**
     * This bridge seen as a capability it offers ({@link WdAddressAccess}, {@link WdContiguity},
     * {@link WdDeviceAccess}, {@link WdRegistration}, {@link WdIovaLookup},
     * {@link WdConstrainedAlloc}, or one a backend documents), like JDBC's {@code unwrap}. The
     * capability shares the bridge's lifetime and thread-safety: after {@link #close()} its
     * methods throw {@link WdClosedException}. The default returns this bridge if it implements
     * {@code capability}; a bridge that wraps another (a facade, a decorator) returns the wrapped
     * bridge's capability, or empty where passing it on would bypass the wrapper's rules.
     *
     * @param capability the capability's interface
     * @param <T> the capability's type
     * @return the capability, or empty if this bridge does not offer it; never throws after close
     * @throws NullPointerException if {@code capability} is null
     */
    default <T> Optional<T> unwrap(Class<T> capability) {
        Objects.requireNonNull(capability, "capability is null");
        return capability.isInstance(this) ? Optional.of(capability.cast(this)) : Optional.empty();
    }

    /**
     * A snapshot of this bridge's accounting: allocations and bytes live, memory held from the
     * system and its peak, failures, device mappings and the limit ({@link WdStats}). Cheap (no
     * lock on the allocation path; the snapshot sums per-thread counters) and callable after
     * {@link #close()} (then it shows what is left: nothing, for the bridges of this project).
     *
     * <p>The default, for a bridge that keeps no accounting, is {@link WdStats#notAccounted}:
     * {@link WdStats#accounted()} false and every count {@link WdStats#UNKNOWN}, never zeros.
     *
     * @return the snapshot, never null
     */
    default WdStats stats() {
        return WdStats.notAccounted(getClass().getName());
    }

    /**
     * Releases everything this bridge still owns. Idempotent. After it, every other method
     * throws {@link WdClosedException}. Segments still held by callers become invalid: the
     * caller must not touch them (the memory may be returned to the operating system).
     */
    @Override
    default void close() {}

    /**
     * Builds a bridge from four callbacks and a user object, mirroring {@code struct wd_mm_br}
     * for code ported from C. The returned bridge keeps the rules of this interface (and of
     * wd-core's {@code WdMmBridgeContractTest}) in front of the callbacks, which only ever see
     * calls that passed them:
     * <ul>
     *   <li>arguments are checked as documented on each method; a null or undersized result of
     *       {@code alloc} is refused, and so is one that overlaps memory the callback already
     *       handed out;</li>
     *   <li>it records every allocation, so a foreign, interior or double {@code free}, and a
     *       map or unmap of a range outside a live allocation, is a {@link WdOwnershipException}
     *       (ALREADY_FREED is told apart from FOREIGN for the last 4096 frees); the {@code free}
     *       callback receives the segment {@code alloc} returned, whatever segment the caller
     *       passed;</li>
     *   <li>it records every map: an unmap whose {@code (va, size, iova)} matches no map not yet
     *       undone is refused, naming the IOVA;</li>
     *   <li>{@link #close()} refuses every later call with {@link WdClosedException}, passes each
     *       allocation still outstanding to the {@code free} callback (logged at {@code WARNING}
     *       on the {@code dev.wdmm.api.WdMmBridge} logger) and never throws; it does not call
     *       {@code unmap}.</li>
     * </ul>
     * <p>One rule a callback bridge cannot promise by itself: that a segment it handed out throws
     * {@link IllegalStateException} on access once the bridge is closed (or the memory freed).
     * The segments are those the {@code alloc} callback returned, with its scope; they throw only if
     * the {@code free} callback ends that scope (e.g. closes an arena per allocation). Over memory
     * the user object keeps (a pool), they stay accessible, as in C. The bridge is thread-safe; it
     * calls the callbacks outside its lock, concurrently from the caller's threads, so they must be
     * thread-safe too.
     *
     * @param <U> the type of the user object
     * @param usr the user object passed to every callback ({@code void *usr}); may be null
     * @param alloc {@code wd_alloc}
     * @param free {@code wd_free}
     * @param map {@code wd_map}
     * @param unmap {@code wd_unmap}
     * @return a bridge calling the callbacks
     * @throws NullPointerException if a callback is null
     */
    static <U> WdMmBridge of(U usr, Alloc<U> alloc, Free<U> free, IovaMap<U> map, IovaUnmap<U> unmap) {
        return new CallbackBridge<>(usr, alloc, free, map, unmap, OptionalLong.empty());
    }

    /**
     * As {@link #of(Object, Alloc, Free, IovaMap, IovaUnmap)}, with UADK's {@code get_bufsize}.
     *
     * @param <U> the type of the user object
     * @param usr the user object
     * @param alloc {@code wd_alloc}
     * @param free {@code wd_free}
     * @param map {@code wd_map}
     * @param unmap {@code wd_unmap}
     * @param bufferSize the fixed buffer size, {@code > 0}
     * @return a bridge calling the callbacks
     * @throws NullPointerException if a callback is null
     * @throws IllegalArgumentException if {@code bufferSize <= 0}
     */
    static <U> WdMmBridge of(U usr, Alloc<U> alloc, Free<U> free, IovaMap<U> map, IovaUnmap<U> unmap, long bufferSize) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize=" + bufferSize + " must be > 0");
        }
        return new CallbackBridge<>(usr, alloc, free, map, unmap, OptionalLong.of(bufferSize));
    }

    /**
     * C's {@code wd_alloc}: returns memory of at least {@code size} bytes, or null on failure.
     *
     * @param <U> the type of the user object
     */
    @FunctionalInterface
    interface Alloc<U> {
        /**
         * Allocates.
         *
         * @param usr the user object
         * @param size bytes, already checked to be {@code > 0}
         * @return a native segment of at least {@code size} bytes, or null on failure
         */
        MemorySegment alloc(U usr, long size);
    }

    /**
     * C's {@code wd_free}.
     *
     * @param <U> the type of the user object
     */
    @FunctionalInterface
    interface Free<U> {
        /**
         * Frees.
         *
         * @param usr the user object
         * @param va the start of the memory, already checked to be native
         */
        void free(U usr, MemorySegment va);
    }

    /**
     * C's {@code wd_map}.
     *
     * @param <U> the type of the user object
     */
    @FunctionalInterface
    interface IovaMap<U> {
        /**
         * Maps.
         *
         * @param usr the user object
         * @param va the start of the range
         * @param size bytes, already checked
         * @return the IOVA
         */
        long map(U usr, MemorySegment va, long size);
    }

    /**
     * C's {@code wd_unmap}.
     *
     * @param <U> the type of the user object
     */
    @FunctionalInterface
    interface IovaUnmap<U> {
        /**
         * Unmaps.
         *
         * @param usr the user object
         * @param va the start of the range
         * @param iova the IOVA returned by the map
         * @param size bytes, already checked
         */
        void unmap(U usr, MemorySegment va, long iova, long size);
    }
}
