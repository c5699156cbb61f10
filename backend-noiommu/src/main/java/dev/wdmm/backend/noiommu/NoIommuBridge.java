package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.alloc.ChunkAllocator;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.nativeio.Pagemap;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;

/**
 * The no-IOMMU bridge: wd-memory's {@link ChunkAllocator} over {@link PinnedChunks}, 2 MiB chunks
 * of base pages each held in place by one long-term pin taken when the chunk is acquired (not per
 * allocation), with frame numbers read from pagemap after pinning. Sizes up to 1 MiB come from
 * power-of-two size classes (64 B and up, aligned to their class) carved from chunks; larger ones
 * get a pinned chunk of their own, unpinned and unmapped when freed. An emptied chunk is kept (one
 * per size class and stripe) or unpinned and unmapped.
 *
 * <p>Maps and contiguity queries find their allocation in O(1), whatever the number of live
 * allocations, and are arithmetic on the chunk's frame numbers: no system call, no lock, no Java
 * object. A range whose pages are not physically adjacent cannot have one IOVA: the
 * {@link dev.wdmm.api.WdMappingException} names the offset where contiguity breaks.
 *
 * <p><b>Lifetime:</b> each segment is a slice of its chunk's mapping; access after the chunk is
 * unmapped (close, a large allocation freed, an empty chunk given back) throws
 * {@link IllegalStateException}. In checked mode ({@code wd.mm.checked=true}, {@link CheckedMode})
 * access after {@code free} throws too.
 *
 * <p>Offers {@link WdAddressAccess} and {@link WdContiguity} through {@link #unwrap}.
 *
 * <p>Thread-safe: alloc and free lock one bin; lookups take no lock.
 */
final class NoIommuBridge implements WdMmBridge, WdAddressAccess, WdContiguity {
    private static final String OWNER = "noiommu bridge";

    private final PinnedChunks source;
    private final ChunkAllocator allocator;
    private final LeakReports.Watch watch;

    private NoIommuBridge(PinnedChunks source, ChunkAllocator allocator) {
        this.source = source;
        this.allocator = allocator;
        this.watch = LeakReports.watch(this, OWNER, allocator::close);
    }

    /** Opens a bridge; the caller has checked that pagemap shows PFNs and that pages can be pinned. */
    static NoIommuBridge open() {
        return open(AllocatorSettings.DEFAULT_RETAIN_EMPTY);
    }

    /**
     * Opens a bridge that keeps {@code retainEmpty} empty chunks per size class and stripe.
     *
     * @param retainEmpty {@code >= 0}; 0 unpins and unmaps a chunk as soon as it is empty
     * @return the bridge
     */
    static NoIommuBridge open(int retainEmpty) {
        return open(retainEmpty, Numa.NO_NODE);
    }

    /**
     * Opens a bridge whose pages are bound to a NUMA node.
     *
     * @param retainEmpty {@code >= 0}
     * @param node an online node, or {@link Numa#NO_NODE} for the kernel's choice
     * @return the bridge
     */
    static NoIommuBridge open(int retainEmpty, int node) {
        return open(retainEmpty, node, CheckedMode.OFF);
    }

    /**
     * Opens a bridge whose pages are bound to a NUMA node, in fast or checked mode.
     *
     * @param retainEmpty {@code >= 0}; 0 unpins and unmaps a chunk as soon as it is empty
     * @param node an online node, or {@link Numa#NO_NODE} for the kernel's choice
     * @param checked checked mode ({@link CheckedMode#OFF}: fast mode)
     * @return the bridge
     */
    static NoIommuBridge open(int retainEmpty, int node, CheckedMode checked) {
        return open(retainEmpty, node, checked, WdStats.NO_LIMIT);
    }

    /** As {@link #open(int, int, CheckedMode)}, with a limit on the bytes of chunks held (pinned). */
    static NoIommuBridge open(int retainEmpty, int node, CheckedMode checked, long limitBytes) {
        PinnedChunks source = new PinnedChunks(OWNER, SharedPagemap.INSTANCE, node);
        return new NoIommuBridge(
                source,
                ChunkAllocator.open(
                        source,
                        new AllocatorSettings(
                                OWNER, retainEmpty, AllocatorSettings.defaultStripes(), checked, limitBytes)));
    }

    /** The allocator, for tests (sites, quarantine). */
    ChunkAllocator allocator() {
        return allocator;
    }

    @Override
    public MemorySegment alloc(long size) {
        return allocator.alloc(size);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        allocator.freeAddress(segment.address());
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        return allocator.iovaMapAddress(segment.address(), size);
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        allocator.iovaUnmapAddress(segment.address(), iova, size);
    }

    @Override
    public long allocAddress(long size) {
        return allocator.allocAddress(size);
    }

    @Override
    public void freeAddress(long address) {
        allocator.freeAddress(address);
    }

    @Override
    public long iovaMapAddress(long address, long size) {
        return allocator.iovaMapAddress(address, size);
    }

    @Override
    public long contiguousLength(MemorySegment segment, long limit) {
        WdArguments.requireNative("segment", segment);
        if (limit <= 0) {
            throw new IllegalArgumentException("limit=" + limit + " must be > 0");
        }
        WdArguments.requireRange(segment, limit);
        return allocator.contiguousLength(segment.address(), limit);
    }

    /** Frees every allocation still live (every chunk unpinned, then unmapped) and closes the pins. Idempotent. */
    @Override
    public void close() {
        watch.close();
    }

    @Override
    public WdStats stats() {
        return allocator.stats();
    }

    /** Bytes currently pinned by this bridge (whole chunks). */
    long pinnedBytes() {
        return source.pinnedBytes();
    }

    /** Live allocations. */
    long liveAllocations() {
        return allocator.liveAllocations();
    }

    @Override
    public String toString() {
        return "NoIommuBridge[" + (allocator.isChecked() ? "checked, " : "") + "allocations="
                + allocator.liveAllocations() + ", pinnedBytes=" + source.pinnedBytes()
                + (allocator.isClosed() ? ", closed" : "") + "]";
    }

    /** The process's pagemap, opened on first use and kept open for the life of the process. */
    private static final class SharedPagemap {
        static final Pagemap INSTANCE = Pagemap.open();
    }
}
