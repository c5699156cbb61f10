package dev.wdmm.backend.hugepage;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.core.memory.TranslationTable;
import dev.wdmm.core.nativeio.NativeMemory;
import dev.wdmm.core.nativeio.Pagemap;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a bridge's huge pages come from and go back to: maps them ({@code MAP_HUGETLB} with the
 * size flag, {@code MAP_POPULATE}), locks them, keeps them out of forked children, reads each huge
 * page's physical address once from pagemap and registers it in the translation table; and undoes
 * all of that. Counts the pages held against the optional cap and the failures. Thread-safe.
 */
final class PageSource {
    private final long pageSize;
    private final int flags;
    private final long maxPages;
    private final Path sysfs;
    private final Pagemap pagemap;
    private final TranslationTable table;
    private final AtomicLong held = new AtomicLong();
    private final LongAdder failures = new LongAdder();
    private volatile WdNativeException lastRefusal;

    private PageSource(long pageSize, long maxPages, Path sysfs, Pagemap pagemap) {
        this.pageSize = pageSize;
        this.flags = NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE | NativeMemory.MAP_HUGETLB
                | NativeMemory.hugePageSizeFlag(pageSize);
        this.maxPages = maxPages;
        this.sysfs = sysfs;
        this.pagemap = pagemap;
        this.table = TranslationTable.create(pageSize, TranslationTable.DEFAULT_VA_BITS);
    }

    /**
     * A source of huge pages of {@code pageSize} bytes; opens pagemap (closed by {@link #close}).
     *
     * @param pageSize bytes per huge page
     * @param maxPages the most pages held at once, or {@code Long.MAX_VALUE}
     * @param sysfs {@code /sys/kernel/mm/hugepages}, for the counts in exhaustion messages
     * @return the source
     */
    static PageSource open(long pageSize, long maxPages, Path sysfs) {
        return new PageSource(pageSize, maxPages, sysfs, Pagemap.open());
    }

    /**
     * Maps, locks and registers {@code pages} huge pages, or returns null when the cap is reached
     * or the kernel has too few free huge pages (the refusal is kept for {@link #exhausted}).
     *
     * @param pages how many, {@code > 0}
     * @return the mapping, or null on shortage
     * @throws dev.wdmm.api.WdNativeException if locking or reading pagemap fails (nothing is kept)
     */
    MemorySegment tryAcquire(long pages) {
        long before;
        do {
            before = held.get();
            if (before + pages > maxPages || before + pages < 0) {
                lastRefusal = null;
                return null;
            }
        } while (!held.compareAndSet(before, before + pages));
        MemorySegment mapping;
        try {
            mapping = NativeMemory.mmap(pages * pageSize, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, flags);
        } catch (WdNativeException e) {
            held.addAndGet(-pages);
            lastRefusal = e;
            return null;
        }
        try {
            NativeMemory.mlock(mapping);
            NativeMemory.madvise(mapping, NativeMemory.MADV_DONTFORK);
            register(mapping, pages);
        } catch (RuntimeException e) {
            NativeMemory.munmap(mapping);
            held.addAndGet(-pages);
            throw e;
        }
        return mapping;
    }

    /**
     * Counts a failed allocation and describes it: the counts, why, and the fix.
     *
     * @param requested the caller's size
     * @param pages huge pages it needed
     * @return the exception to throw
     */
    WdAllocationException exhausted(long requested, long pages) {
        failures.increment();
        WdNativeException refusal = lastRefusal;
        String why = refusal == null ? "max_pages=" + maxPages + " reached (wd.mm.hugepage.max-pages)"
                : "the kernel refused mmap errno=" + refusal.errno() + " (" + NativeMemory.strerror(refusal.errno()) + ")";
        long free = HugepageSizes.freeOrUnknown(sysfs, pageSize);
        String fix = pageSize == 2L << 20
                ? "sysctl vm.nr_hugepages=" + Math.max(256, held.get() + pages + Math.max(free, 0))
                : "echo N > " + sysfs.resolve("hugepages-" + (pageSize >> 10) + "kB/nr_hugepages");
        return new WdAllocationException(requested, "requested=" + requested + " hugepage_size=" + pageSize
                + " pages_needed=" + pages + " free_hugepages=" + free + " held_pages=" + held.get()
                + " alloc_failures=" + failures.sum() + ": " + why + "; free allocations, raise"
                + " wd.mm.hugepage.max-pages, or reserve more huge pages: " + fix, refusal);
    }

    /**
     * Unregisters and unmaps a mapping made by {@link #acquire}.
     *
     * @param mapping the mapping
     */
    void release(MemorySegment mapping) {
        long pages = mapping.byteSize() / pageSize;
        for (long i = 0; i < pages; i++) {
            table.unregister(mapping.address() + i * pageSize);
        }
        NativeMemory.munmap(mapping);
        held.addAndGet(-pages);
    }

    /** The translation table of every page held. Lookups are lock-free. */
    TranslationTable table() {
        return table;
    }

    /** Pages held now. */
    long held() {
        return held.get();
    }

    /** Allocation failures so far. */
    long failures() {
        return failures.sum();
    }

    /** Closes pagemap; the caller released every mapping first. */
    void close() {
        pagemap.close();
    }

    private void register(MemorySegment mapping, long pages) {
        long base = mapping.address();
        long registered = 0;
        try {
            for (; registered < pages; registered++) {
                long va = base + registered * pageSize;
                table.register(va, pagemap.physicalAddress(va), pageSize);
            }
        } catch (RuntimeException e) {
            for (long i = 0; i < registered; i++) {
                table.unregister(base + i * pageSize);
            }
            throw e;
        }
    }

    @Override
    public String toString() {
        return "PageSource[pageSize=" + pageSize + ", held=" + held.get() + ", flags=" + hex(flags) + "]";
    }
}
