package dev.wdmm.backend.hugepage;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.core.memory.PageDirectory;
import dev.wdmm.core.memory.TranslationTable;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hugepage bridge (see {@link HugepageBridge} for the promises). Small sizes go to the
 * {@link Bin} of their class in the calling thread's stripe; large sizes to a {@link Run}. The
 * {@link PageDirectory} finds the chunk of any address in O(1) without a lock; the
 * {@link TranslationTable} of the {@link PageSource} gives IOVAs.
 */
final class HugeBridge implements HugepageBridge {
    /** Smallest size class: 64 bytes (larger for huge pages over 2 MiB, to bound slots per page). */
    static final int MIN_SHIFT = 6;
    /** At most 2^15 slots per class page, which bounds a page's bookkeeping to ~260 KiB. */
    static final int MAX_SLOTS_SHIFT = 15;
    /** Largest size class: 1 MiB (or half a huge page if that is smaller). */
    static final int MAX_SHIFT = 20;
    /** Largest request served at all: 2^46 bytes, far beyond any machine's huge pages. */
    static final long MAX_SIZE = 1L << 46;

    private final long pageSize;
    private final int pageShift;
    private final int minShift;
    private final int maxShift;
    private final int classes;
    private final int stripeMask;
    private final Bin[] bins;
    private final PageSource source;
    private final TranslationTable table;
    /** Huge page to the chunk owning it; addresses at or above 2^48 are never found. */
    private final PageDirectory<Chunk> directory;
    private final ConcurrentHashMap<Long, Chunk> chunks = new ConcurrentHashMap<>();
    /** Live runs; live slots are counted by their bins, under the bins' locks. */
    private final AtomicLong liveRuns = new AtomicLong();
    private volatile boolean closed;

    private HugeBridge(long pageSize, int retainEmpty, long maxPages, Path sysfs, int stripes) {
        this.pageSize = pageSize;
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.maxShift = Math.min(MAX_SHIFT, pageShift - 1);
        this.minShift = Math.max(MIN_SHIFT, pageShift - MAX_SLOTS_SHIFT);
        this.classes = maxShift - minShift + 1;
        this.stripeMask = stripes - 1;
        this.source = PageSource.open(pageSize, maxPages, sysfs);
        this.table = source.table();
        this.directory = PageDirectory.create(pageShift);
        this.bins = new Bin[stripes * classes];
        for (int i = 0; i < bins.length; i++) {
            bins[i] = new Bin(this, minShift + i % classes, retainEmpty);
        }
    }

    /**
     * Opens a bridge.
     *
     * @param pageSize huge page size, a power of two the kernel offers
     * @param retainEmpty empty pages a bin keeps before returning more to the OS, {@code >= 0}
     * @param maxPages the most huge pages held at once ({@code Long.MAX_VALUE}: no cap)
     * @param sysfs the {@code sys/kernel/mm/hugepages} directory, for counts in messages
     * @param stripes number of stripes, a power of two
     * @return the bridge
     */
    static HugeBridge open(long pageSize, int retainEmpty, long maxPages, Path sysfs, int stripes) {
        return new HugeBridge(pageSize, retainEmpty, maxPages, sysfs, stripes);
    }

    /**
     * Allocates and returns a slice of the huge page mapping the allocation lies in: the segment
     * has the mapping's scope, so once the bridge gives the pages back (close, or an empty page
     * returned to the kernel) any access through it throws {@link IllegalStateException} instead
     * of touching unmapped memory.
     */
    @Override
    public MemorySegment alloc(long size) {
        long address = allocAddress(size);
        Chunk chunk = directory.find(address);
        if (chunk == null) {
            // a racing close() released the page between the allocation and here
            throw new WdClosedException("hugepage bridge is closed: alloc(size=" + size + ") refused");
        }
        return chunk.mapping().asSlice(address - chunk.base(), size);
    }

    @Override
    public long allocAddress(long size) {
        ensureOpen("alloc");
        WdArguments.requirePositive("size", size);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("size=" + size + " must be <= " + MAX_SIZE);
        }
        if (size <= 1L << maxShift) {
            int shift = Math.max(minShift, 64 - Long.numberOfLeadingZeros(size - 1));
            int stripe = (int) Thread.currentThread().threadId() & stripeMask;
            return bins[stripe * classes + shift - minShift].alloc(size);
        }
        return allocRun(size);
    }

    private long allocRun(long size) {
        long pages = (size + pageSize - 1) >>> pageShift;
        Run run = Run.of(acquire(pages, size), (int) pages, size);
        adopt(run);
        if (closed) {
            // close may already have released it; either way the caller must not get it
            if (chunks.remove(run.base(), run)) {
                unpublish(run);
                source.release(run.mapping());
            }
            throw new WdClosedException("hugepage bridge is closed: alloc(size=" + size + ") refused");
        }
        liveRuns.incrementAndGet();
        return run.base();
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        freeAddress(segment.address());
    }

    @Override
    public void freeAddress(long address) {
        ensureOpen("free");
        Chunk chunk = owner(address);
        if (chunk instanceof ClassPage page) {
            page.bin.free(page, address);
        } else {
            freeRun((Run) chunk, address);
        }
    }

    private void freeRun(Run run, long address) {
        if (address != run.base()) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.INTERIOR, "va=" + hex(address)
                    + " is interior to the allocation at va=" + hex(run.base()) + " (offset=" + (address - run.base())
                    + "); free takes the start address");
        }
        if (!run.markFreed()) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(address) + " was already freed");
        }
        liveRuns.decrementAndGet();
        if (chunks.remove(run.base(), run)) {
            unpublish(run);
            source.release(run.mapping());
        }
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        return iovaMapAddress(segment.address(), size);
    }

    @Override
    public long iovaMapAddress(long address, long size) {
        ensureOpen("iovaMap");
        WdArguments.requirePositive("size", size);
        if (Long.compareUnsigned(address + size, address) < 0) {
            throw new IllegalArgumentException("va=" + hex(address) + " size=" + size + " wraps the address space");
        }
        Chunk chunk = owner(address);
        long end = allocationEnd(chunk, address);
        if (Long.compareUnsigned(address + size, end) > 0) {
            throw new IllegalArgumentException("va=" + hex(address) + " size=" + size
                    + " must end within its allocation, which ends at va=" + hex(end) + " (" + (end - address)
                    + " bytes from va)");
        }
        // a slot never crosses its huge page, whose IOVA the page took from the table when adopted;
        // a run may cross huge pages, so the table checks that the whole range is contiguous
        return chunk instanceof ClassPage page ? page.iova + (address - page.base()) : table.translate(address, size);
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireMatchingIova(segment.address(), size, iova, iovaMap(segment, size));
    }

    @Override
    public long contiguousLength(MemorySegment segment, long limit) {
        WdArguments.requireNative("segment", segment);
        WdArguments.requirePositive("limit", limit);
        if (limit > segment.byteSize()) {
            throw new IllegalArgumentException("limit=" + limit + " must be <= segment.byteSize()=" + segment.byteSize());
        }
        ensureOpen("contiguousLength");
        long address = segment.address();
        long end = allocationEnd(owner(address), address);
        if (Long.compareUnsigned(address, end) >= 0) {
            throw new IllegalArgumentException("va=" + hex(address) + " must be inside its allocation, which ends at va="
                    + hex(end));
        }
        return table.contiguousLength(address, Math.min(limit, end - address));
    }

    /** The end of the live allocation containing {@code address}, or an ownership exception. */
    private static long allocationEnd(Chunk chunk, long address) {
        if (chunk instanceof ClassPage page) {
            if (!page.isAllocated(address)) {
                throw new WdOwnershipException(address, WdOwnershipException.Reason.ALREADY_FREED, "va=" + hex(address)
                        + " is in a free slot (va=" + hex(page.slotStart(address)) + " size=" + page.slotSize()
                        + "): already freed or never allocated");
            }
            return page.slotStart(address) + page.allocationSize(address);
        }
        Run run = (Run) chunk;
        if (run.isFreed()) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(address) + " is in an allocation that was freed");
        }
        return run.base() + run.size();
    }

    private Chunk owner(long address) {
        Chunk chunk = directory.find(address);
        if (chunk == null) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.FOREIGN,
                    "va=" + hex(address) + " is not inside memory of this bridge");
        }
        return chunk;
    }

    /**
     * Huge pages from the source; on a shortage, gives back the empty pages every bin retains and
     * tries once more. Called with no bin lock held (trimming takes them one at a time).
     */
    MemorySegment acquire(long pages, long requested) {
        MemorySegment mapping = source.tryAcquire(pages);
        if (mapping == null && trimEmpty() > 0) {
            mapping = source.tryAcquire(pages);
        }
        if (mapping == null) {
            throw source.exhausted(requested, pages);
        }
        return mapping;
    }

    /** Releases every retained empty class page; returns how many. */
    private int trimEmpty() {
        int released = 0;
        for (Bin bin : bins) {
            released += bin.trim();
        }
        return released;
    }

    void adopt(Chunk chunk) {
        if (chunk instanceof ClassPage page) {
            page.iova = table.translate(page.base());
        }
        chunks.put(chunk.base(), chunk);
        directory.set(chunk.base(), bytes(chunk), chunk);
    }

    void releasePage(ClassPage page) {
        if (chunks.remove(page.base(), page)) {
            unpublish(page);
            source.release(page.mapping());
        }
    }

    /** Removes the chunk's pages from the directory; later lookups there fail as foreign. */
    private void unpublish(Chunk chunk) {
        directory.clear(chunk.base(), bytes(chunk));
    }

    private long bytes(Chunk chunk) {
        return (long) chunk.pages() << pageShift;
    }

    boolean isClosed() {
        return closed;
    }

    private void ensureOpen(String operation) {
        if (closed) {
            throw new WdClosedException("hugepage bridge is closed: " + operation + " refused");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Bin bin : bins) {
            bin.quiesce();
        }
        liveRuns.set(0);
        for (Chunk chunk : chunks.values()) {
            if (chunks.remove(chunk.base(), chunk)) {
                unpublish(chunk);
                source.release(chunk.mapping());
            }
        }
        source.close();
    }

    @Override
    public long hugePageSize() {
        return pageSize;
    }

    @Override
    public long largestClass() {
        return 1L << maxShift;
    }

    @Override
    public long heldPages() {
        return source.held();
    }

    @Override
    public long allocFailures() {
        return source.failures();
    }

    @Override
    public long liveAllocations() {
        long slots = 0;
        for (Bin bin : bins) {
            slots += bin.liveSlots();
        }
        return slots + liveRuns.get();
    }

    @Override
    public String toString() {
        return "HugepageBridge[hugePageSize=" + pageSize + ", heldPages=" + heldPages() + ", live=" + liveAllocations()
                + (closed ? ", closed" : "") + "]";
    }
}
