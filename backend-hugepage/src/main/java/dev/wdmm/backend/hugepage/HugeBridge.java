package dev.wdmm.backend.hugepage;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.alloc.ChunkAllocator;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The hugepage bridge: wd-memory's {@link ChunkAllocator} over a {@link PageSource} whose chunks
 * are pinned huge pages. This class checks the segment API's arguments and adds the page counters;
 * the allocator does the rest. It offers {@link WdAddressAccess} and {@link WdContiguity} through
 * {@link #unwrap}.
 *
 * <p><b>Memory:</b> sizes up to {@link #largestClass()} come from power-of-two size classes
 * (64 B and up) carved from huge pages; a slot is aligned to its class size and never crosses a
 * huge page. Larger sizes get a run of whole huge pages of their own, unmapped when freed. An
 * emptied class page is returned to the operating system when its stripe already holds
 * {@value HugepageBackendProvider#DEFAULT_RETAIN_EMPTY} (option {@code wd.mm.hugepage.retain-empty})
 * empty pages of that class. An allocation is mapped exactly up to its requested size.
 *
 * <p><b>Translation:</b> IOVAs are physical addresses. {@link #iovaMap} and
 * {@link #iovaMapAddress} of any range inside one allocation are a table lookup with no system
 * call; a range of a run that crosses from one huge page to a physically non-adjacent one fails
 * with a {@link dev.wdmm.api.WdMappingException} whose {@code breakOffset} is that boundary.
 *
 * <p><b>Lifetime:</b> a segment is a slice of its huge page's mapping: once the page goes back to
 * the kernel (close, a run freed, an empty page returned) access through it throws
 * {@link IllegalStateException}. In checked mode ({@code wd.mm.checked=true}, {@link CheckedMode})
 * each allocation has a scope of its own, so access after {@code free} throws too.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once. Allocation and
 * free lock only the calling thread's stripe (or the stripe owning the freed slot); mapping takes
 * no lock. {@link #close()} frees everything; calls after it throw
 * {@link dev.wdmm.api.WdClosedException}.
 */
final class HugeBridge implements WdMmBridge, WdAddressAccess, WdContiguity {
    private static final String OWNER = "hugepage bridge";

    private final long pageSize;
    private final PageSource source;
    private final ChunkAllocator allocator;
    private final LeakReports.Watch watch;

    private HugeBridge(long pageSize, PageSource source, ChunkAllocator allocator) {
        this.pageSize = pageSize;
        this.source = source;
        this.allocator = allocator;
        this.watch = LeakReports.watch(this, OWNER, allocator::close);
    }

    /**
     * Opens a bridge.
     *
     * @param pageSize huge page size, a power of two the kernel offers
     * @param retainEmpty empty pages a bin keeps before returning more to the OS, {@code >= 0}
     * @param maxPages the most huge pages held at once ({@code Long.MAX_VALUE}: no cap)
     * @param node the NUMA node to bind the pages to, or -1 for the kernel's choice
     * @param sysfs the {@code sys/kernel/mm/hugepages} directory, for counts in messages
     * @param stripes number of stripes, a power of two
     * @param checked checked mode ({@link CheckedMode#OFF}: fast mode)
     * @param limitBytes the most bytes of huge pages held at once ({@link WdStats#NO_LIMIT}: none)
     * @return the bridge
     */
    static HugeBridge open(
            long pageSize,
            int retainEmpty,
            long maxPages,
            int node,
            Path sysfs,
            int stripes,
            CheckedMode checked,
            long limitBytes) {
        PageSource source = PageSource.open(pageSize, maxPages, node, sysfs);
        return new HugeBridge(
                pageSize,
                source,
                ChunkAllocator.open(source, new AllocatorSettings(OWNER, retainEmpty, stripes, checked, limitBytes)));
    }

    /** The allocator, for tests (sites, quarantine). */
    ChunkAllocator allocator() {
        return allocator;
    }

    /**
     * Allocates and returns a slice of the huge page mapping the allocation lies in: the segment
     * has the mapping's scope, so once the bridge gives the pages back (close, or an empty page
     * returned to the kernel) any access through it throws {@link IllegalStateException} instead
     * of touching unmapped memory.
     */
    @Override
    public MemorySegment alloc(long size) {
        return allocator.alloc(size);
    }

    @Override
    public long allocAddress(long size) {
        return allocator.allocAddress(size);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        allocator.freeAddress(segment.address());
    }

    @Override
    public void freeAddress(long address) {
        allocator.freeAddress(address);
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        return allocator.iovaMapAddress(segment.address(), size);
    }

    @Override
    public long iovaMapAddress(long address, long size) {
        return allocator.iovaMapAddress(address, size);
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        allocator.iovaUnmapAddress(segment.address(), iova, size);
    }

    @Override
    public long contiguousLength(MemorySegment segment, long limit) {
        WdArguments.requireNative("segment", segment);
        WdArguments.requirePositive("limit", limit);
        if (limit > segment.byteSize()) {
            throw new IllegalArgumentException("limit=" + limit + " must be <= segment.byteSize()=" + segment.byteSize()
                    + " (va=" + hex(segment.address()) + ")");
        }
        return allocator.contiguousLength(segment.address(), limit);
    }

    @Override
    public void close() {
        watch.close();
    }

    @Override
    public WdStats stats() {
        return allocator.stats();
    }

    long hugePageSize() {
        return pageSize;
    }

    long largestClass() {
        return allocator.largestClass();
    }

    long heldPages() {
        return source.held();
    }

    long allocFailures() {
        return source.failures();
    }

    long liveAllocations() {
        return allocator.liveAllocations();
    }

    @Override
    public String toString() {
        return "HugeBridge[hugePageSize=" + pageSize + (allocator.isChecked() ? ", checked" : "") + ", heldPages="
                + heldPages() + ", live=" + liveAllocations() + (allocator.isClosed() ? ", closed" : "") + "]";
    }
}
