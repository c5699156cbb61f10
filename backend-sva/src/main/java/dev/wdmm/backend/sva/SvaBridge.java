package dev.wdmm.backend.sva;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.alloc.ChunkAllocator;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;

/**
 * Identity-mapping bridge: wd-memory's {@link ChunkAllocator} over {@link AnonymousChunks} (2 MiB
 * chunks of anonymous memory). Sizes up to 1 MiB come from power-of-two size classes (64 B and
 * up, aligned to their class, so allocations of a page or more are page-aligned); larger ones get
 * a chunk of their own. Foreign, interior and double frees and maps of memory it does not own are
 * refused with the reason, in O(1).
 *
 * <p><b>Lifetime:</b> each segment is a slice of its chunk's mapping: after {@link #close()}, or
 * once its chunk went back to the OS (a large allocation freed, an empty chunk beyond the one kept
 * per size class and stripe), access throws {@link IllegalStateException}. A small allocation's
 * chunk usually stays mapped after its free, so access through a freed segment reaches memory
 * this bridge still owns (never the JVM's or unmapped memory); in checked mode
 * ({@code wd.mm.checked=true}, {@link CheckedMode}) that access throws {@link IllegalStateException}
 * too.
 *
 * <p>Offers {@link WdAddressAccess} through {@link #unwrap}.
 *
 * <p>Thread-safe: alloc and free lock one bin; maps and unmaps take no lock and allocate nothing.
 */
final class SvaBridge implements WdMmBridge, WdAddressAccess {
    private static final String OWNER = "sva bridge";

    private final boolean prefault;
    private final ChunkAllocator allocator;
    private final LeakReports.Watch watch;

    private SvaBridge(boolean prefault, int node, CheckedMode checked, long limitBytes) {
        this.prefault = prefault;
        this.allocator = ChunkAllocator.open(
                new AnonymousChunks(prefault, node),
                AllocatorSettings.of(OWNER).withChecked(checked).withLimit(limitBytes));
        this.watch = LeakReports.watch(this, OWNER, allocator::close);
    }

    static SvaBridge open(boolean prefault) {
        return new SvaBridge(prefault, -1, CheckedMode.OFF, WdStats.NO_LIMIT);
    }

    /** A bridge whose chunks are bound to NUMA node {@code node} (-1: the kernel's choice). */
    static SvaBridge open(boolean prefault, int node) {
        return new SvaBridge(prefault, node, CheckedMode.OFF, WdStats.NO_LIMIT);
    }

    /** A bridge on NUMA node {@code node} (-1: the kernel's choice), in fast or checked mode. */
    static SvaBridge open(boolean prefault, int node, CheckedMode checked) {
        return new SvaBridge(prefault, node, checked, WdStats.NO_LIMIT);
    }

    /** As {@link #open(boolean, int, CheckedMode)}, with a limit on the bytes of chunks held. */
    static SvaBridge open(boolean prefault, int node, CheckedMode checked, long limitBytes) {
        return new SvaBridge(prefault, node, checked, limitBytes);
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
    public WdStats stats() {
        return allocator.stats();
    }

    /** Frees every allocation still live (every chunk unmapped) and reports them. Idempotent. */
    @Override
    public void close() {
        watch.close();
    }

    @Override
    public String toString() {
        return "SvaBridge[prefault=" + prefault + (allocator.isChecked() ? ", checked" : "") + ", live="
                + allocator.liveAllocations() + (allocator.isClosed() ? ", closed" : "") + "]";
    }
}
