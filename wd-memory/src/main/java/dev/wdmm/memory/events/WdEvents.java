package dev.wdmm.memory.events;

/**
 * Emits wd-mm's JDK Flight Recorder events. Each method costs a check of whether its event is
 * enabled when no recording wants it (every call site is off the allocation fast path: a chunk
 * taken or given back, a failure, a kernel call, a report). Thread-safe; never throws.
 *
 * <p>Watch them from an application with {@code jdk.jfr.consumer.RecordingStream}:
 * <pre>{@code
 * try (var rs = new RecordingStream()) {
 *     rs.enable(WdEvents.ALLOCATION_FAILURE);
 *     rs.onEvent(WdEvents.ALLOCATION_FAILURE, e -> log(e.getString("owner"), e.getLong("size")));
 *     rs.startAsync();
 *     ...
 * }
 * }</pre>
 * or record them all with {@code -XX:StartFlightRecording} and a setting {@code dev.wdmm.*#enabled=true}.
 */
public final class WdEvents {
    /** A chunk taken from the system: fields owner, address, bytes, requested. */
    public static final String CHUNK_ACQUIRED = "dev.wdmm.ChunkAcquired";
    /** A chunk given back to the system: fields owner, address, bytes. */
    public static final String CHUNK_RELEASED = "dev.wdmm.ChunkReleased";
    /** An allocation refused for want of memory: fields owner, size, reason ({@code exhausted}, {@code limit}, {@code pool}). */
    public static final String ALLOCATION_FAILURE = "dev.wdmm.AllocationFailure";
    /** A block pool without a free block or run: fields owner, blockSize, blocks, needed. */
    public static final String POOL_EXHAUSTED = "dev.wdmm.PoolExhausted";
    /** One {@code VFIO_IOMMU_MAP_DMA}: fields device, address, iova, bytes. */
    public static final String VFIO_MAP = "dev.wdmm.VfioMap";
    /** One {@code VFIO_IOMMU_UNMAP_DMA}: fields device, iova, bytes. */
    public static final String VFIO_UNMAP = "dev.wdmm.VfioUnmap";
    /** A leak report: fields owner, kind ({@code closed-with-outstanding}, {@code unreachable}), allocations, bytes. */
    public static final String LEAK_REPORTED = "dev.wdmm.LeakReported";

    private WdEvents() {}

    /**
     * A chunk was acquired.
     *
     * @param owner the allocator's owner
     * @param address the chunk's address
     * @param bytes its size
     * @param requested the allocation size that needed it
     */
    public static void chunkAcquired(String owner, long address, long bytes, long requested) {
        ChunkAcquiredEvent e = new ChunkAcquiredEvent();
        if (e.shouldCommit()) {
            e.owner = owner;
            e.address = address;
            e.bytes = bytes;
            e.requested = requested;
            e.commit();
        }
    }

    /**
     * A chunk was released.
     *
     * @param owner the allocator's owner
     * @param address the chunk's address
     * @param bytes its size
     */
    public static void chunkReleased(String owner, long address, long bytes) {
        ChunkReleasedEvent e = new ChunkReleasedEvent();
        if (e.shouldCommit()) {
            e.owner = owner;
            e.address = address;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * An allocation failed for want of memory.
     *
     * @param owner the bridge or allocator
     * @param size the requested size
     * @param reason {@code exhausted}, {@code limit} or {@code pool}
     */
    public static void allocationFailure(String owner, long size, String reason) {
        AllocationFailureEvent e = new AllocationFailureEvent();
        if (e.shouldCommit()) {
            e.owner = owner;
            e.size = size;
            e.reason = reason;
            e.commit();
        }
    }

    /**
     * A pool had no free block or run.
     *
     * @param owner names the pool
     * @param blockSize its block size
     * @param blocks its block count
     * @param needed blocks the allocation needed
     */
    public static void poolExhausted(String owner, long blockSize, long blocks, long needed) {
        PoolExhaustedEvent e = new PoolExhaustedEvent();
        if (e.shouldCommit()) {
            e.owner = owner;
            e.blockSize = blockSize;
            e.blocks = blocks;
            e.needed = needed;
            e.commit();
        }
    }

    /**
     * A {@code VFIO_IOMMU_MAP_DMA} call.
     *
     * @param device the device
     * @param address the virtual address mapped
     * @param iova its IOVA
     * @param bytes the size
     */
    public static void vfioMap(String device, long address, long iova, long bytes) {
        VfioMapEvent e = new VfioMapEvent();
        if (e.shouldCommit()) {
            e.device = device;
            e.address = address;
            e.iova = iova;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * A {@code VFIO_IOMMU_UNMAP_DMA} call.
     *
     * @param device the device
     * @param iova the IOVA unmapped
     * @param bytes the size
     */
    public static void vfioUnmap(String device, long iova, long bytes) {
        VfioUnmapEvent e = new VfioUnmapEvent();
        if (e.shouldCommit()) {
            e.device = device;
            e.iova = iova;
            e.bytes = bytes;
            e.commit();
        }
    }

    /**
     * A leak was reported.
     *
     * @param owner the bridge or facade
     * @param kind {@code closed-with-outstanding} or {@code unreachable}
     * @param allocations allocations outstanding (-1 if unknown)
     * @param bytes their bytes (-1 if unknown)
     */
    public static void leakReported(String owner, String kind, long allocations, long bytes) {
        LeakReportedEvent e = new LeakReportedEvent();
        if (e.shouldCommit()) {
            e.owner = owner;
            e.kind = kind;
            e.allocations = allocations;
            e.bytes = bytes;
            e.commit();
        }
    }
}
