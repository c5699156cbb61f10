package dev.wdmm.api;

/**
 * A bridge capability: allocation, free and translation by raw address, allocating no Java object
 * (no {@link java.lang.foreign.MemorySegment}, no boxing) on the way, for hot paths that keep
 * addresses (descriptor rings, C-style callers) and for benchmarks. Obtain it with
 * {@code bridge.unwrap(WdAddressAccess.class)}; an address allocated here is an allocation of the
 * bridge like any other ({@code free} of a segment at that address frees it, and the other way
 * round).
 *
 * <p>An address carries no lifetime of its own: the caller must not dereference it after
 * {@link #freeAddress} or the bridge's close (use {@link WdMmBridge#alloc} where the JVM should
 * guard access).
 *
 * <p><b>Thread-safety:</b> as the bridge: every method may be called from many threads at once.
 */
public interface WdAddressAccess {

    /**
     * Allocates like {@link WdMmBridge#alloc(long)} and returns the start address.
     *
     * @param size bytes, {@code > 0}
     * @return the start address of at least {@code size} usable bytes
     * @throws IllegalArgumentException if {@code size <= 0} or larger than the bridge can serve
     * @throws WdAllocationException when the memory is exhausted (counts and fix named)
     * @throws WdClosedException after the bridge is closed
     */
    long allocAddress(long size);

    /**
     * Frees like {@link WdMmBridge#free} by start address.
     *
     * @param address the start of a live allocation of the bridge
     * @throws WdOwnershipException if the address is foreign, interior or already freed
     * @throws WdClosedException after the bridge is closed
     */
    void freeAddress(long address);

    /**
     * Translates like {@link WdMmBridge#iovaMap} by address.
     *
     * @param address any address inside a live allocation
     * @param size bytes, {@code > 0}; the range must stay inside the allocation
     * @return the IOVA of {@code address}
     * @throws IllegalArgumentException if {@code size <= 0} or the range wraps or leaves the allocation
     * @throws WdOwnershipException if the address is not inside a live allocation
     * @throws WdMappingException if the range has no single IOVA (it crosses non-adjacent pages)
     * @throws WdClosedException after the bridge is closed
     */
    long iovaMapAddress(long address, long size);
}
