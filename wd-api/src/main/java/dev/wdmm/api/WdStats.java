package dev.wdmm.api;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A snapshot of a bridge's accounting: {@link WdMmBridge#stats()}. Immutable.
 *
 * <p><b>Precision:</b> the counters are kept per thread (or striped) so that the hot path takes
 * no lock; a snapshot taken while other threads allocate or free may be a few operations old for
 * the live figures, and is exact once they are quiescent (e.g. after they were joined).
 * {@link #heldBytes()}, {@link #peakHeldBytes()} and {@link #heldBySize()} change only when memory
 * is taken from or given back to the operating system (or the region) and are exact.
 *
 * <p>A bridge that keeps no accounting returns {@link #notAccounted(String)}: {@link #accounted()}
 * is false and every count is {@link #UNKNOWN}, never a zero that would read as "nothing used".
 *
 * @param owner names the bridge, e.g. {@code "sva bridge"}
 * @param accounted whether the bridge keeps accounting; false: every count is {@link #UNKNOWN}
 * @param liveAllocations allocations made and not freed (in checked mode, quarantined ones are not live)
 * @param liveBytes the requested bytes of the live allocations
 * @param totalAllocations allocations made since the bridge was opened
 * @param allocationFailures allocations refused for want of memory (exhaustion or the limit)
 * @param heldBytes memory the bridge holds now (chunks, huge pages, its region): what it took from the system
 * @param peakHeldBytes the most {@link #heldBytes()} ever was
 * @param heldBySize what the bridge holds by unit size: chunk (or huge page, or block) bytes to the
 *     count held, in ascending order of size
 * @param limitBytes the limit on {@link #heldBytes()} (for a pool-backed bridge: on block bytes
 *     allocated), or {@link #NO_LIMIT}
 * @param deviceMappings mappings the bridge holds in an IOMMU or the kernel now (VFIO's
 *     {@code VFIO_IOMMU_MAP_DMA}, one per chunk); 0 where {@code iovaMap} is arithmetic and no mapping exists
 * @param deviceMappingsTotal such mappings made since the bridge was opened
 * @param pool the block pool behind a pool-backed bridge, or null
 */
public record WdStats(
        String owner,
        boolean accounted,
        long liveAllocations,
        long liveBytes,
        long totalAllocations,
        long allocationFailures,
        long heldBytes,
        long peakHeldBytes,
        Map<Long, Long> heldBySize,
        long limitBytes,
        long deviceMappings,
        long deviceMappingsTotal,
        WdPoolStats pool) {

    /** The value of every count of a bridge that keeps no accounting. */
    public static final long UNKNOWN = -1;

    /** The value of {@link #limitBytes()} when there is no limit. */
    public static final long NO_LIMIT = Long.MAX_VALUE;

    /**
     * Copies {@code heldBySize} into an immutable map in ascending order of size.
     *
     * @throws NullPointerException if {@code owner} or {@code heldBySize} is null
     */
    public WdStats {
        Objects.requireNonNull(owner, "owner is null");
        heldBySize = java.util.Collections.unmodifiableMap(
                new TreeMap<>(Objects.requireNonNull(heldBySize, "heldBySize is null")));
    }

    /**
     * The snapshot of a bridge that keeps no accounting: {@link #accounted()} false, every count
     * {@link #UNKNOWN}.
     *
     * @param owner names the bridge
     * @return the snapshot
     * @throws NullPointerException if {@code owner} is null
     */
    public static WdStats notAccounted(String owner) {
        return new WdStats(
                owner, false, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, Map.of(), NO_LIMIT, UNKNOWN,
                UNKNOWN, null);
    }

    /**
     * The block pool's figures, for a pool-backed bridge.
     *
     * @return the pool's snapshot, or empty
     */
    public Optional<WdPoolStats> poolStats() {
        return Optional.ofNullable(pool);
    }

    /**
     * One line of {@code key=value} pairs, e.g. {@code owner="sva bridge" live-allocations=3
     * live-bytes=12288 ...}; {@code accounted=false} alone for a bridge without accounting.
     *
     * @return the line
     */
    @Override
    public String toString() {
        if (!accounted) {
            return "owner=\"" + owner + "\" accounted=false (this bridge keeps no accounting)";
        }
        return "owner=\"" + owner + "\" live-allocations=" + liveAllocations + " live-bytes=" + liveBytes
                + " total-allocations=" + totalAllocations + " allocation-failures=" + allocationFailures
                + " held-bytes=" + heldBytes + " peak-held-bytes=" + peakHeldBytes + " held-by-size=" + heldBySize
                + " limit-bytes=" + (limitBytes == NO_LIMIT ? "none" : Long.toString(limitBytes))
                + " device-mappings=" + deviceMappings + " device-mappings-total=" + deviceMappingsTotal
                + (pool != null ? " pool={" + pool + "}" : "");
    }
}
