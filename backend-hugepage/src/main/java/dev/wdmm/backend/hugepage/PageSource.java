package dev.wdmm.backend.hugepage;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.alloc.ChunkSource;
import dev.wdmm.memory.alloc.ExternalHolder;
import dev.wdmm.memory.nativeio.HugepageCounts;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.nativeio.Pagemap;
import dev.wdmm.memory.table.TranslationTable;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where a bridge's huge pages come from and go back to: maps them ({@code MAP_HUGETLB} with the
 * size flag), keeps them out of forked children, holds them in place with a long-term pin
 * ({@link LongTermPins}; hugetlb pages are not guaranteed to stay put either: memory offlining
 * and {@code ZONE_MOVABLE} move unpinned ones), reads each huge page's physical address once from
 * pagemap <em>after</em> pinning and registers it in the translation table; and undoes all of
 * that, unpinning before unmapping. Counts the pages held against the optional cap and the
 * failures. The {@link ChunkSource} of the hugepage bridge's allocator: a chunk is one huge page, a
 * run whole huge pages. Thread-safe.
 */
final class PageSource implements ChunkSource {
    private final long pageSize;
    private final int flags;
    private final long maxPages;
    private final Path sysfs;
    private final Pagemap pagemap;
    private final TranslationTable table;
    private final LongTermPins pins;
    private final ConcurrentHashMap<Long, LongTermPins.Pin> pinned = new ConcurrentHashMap<>();
    private final AtomicLong held = new AtomicLong();
    private final LongAdder failures = new LongAdder();
    private volatile WdNativeException lastRefusal;
    private final int node;

    private PageSource(long pageSize, long maxPages, int node, Path sysfs, Pagemap pagemap, LongTermPins pins) {
        this.pageSize = pageSize;
        this.pins = pins;
        this.node = node;
        // bound to a node: mapped unpopulated, bound, then populated (MADV_POPULATE_WRITE fails cleanly)
        this.flags = NativeMemory.MAP_PRIVATE
                | (node == Numa.NO_NODE ? NativeMemory.MAP_POPULATE : 0)
                | NativeMemory.MAP_HUGETLB
                | NativeMemory.hugePageSizeFlag(pageSize);
        this.maxPages = maxPages;
        this.sysfs = sysfs;
        this.pagemap = pagemap;
        this.table = TranslationTable.create(pageSize, TranslationTable.DEFAULT_VA_BITS);
    }

    /**
     * A source of huge pages of {@code pageSize} bytes; opens pagemap and the pins (closed by
     * {@link #close}).
     *
     * @param pageSize bytes per huge page
     * @param maxPages the most pages held at once, or {@code Long.MAX_VALUE}
     * @param node the NUMA node the pages are bound to, or {@link Numa#NO_NODE}
     * @param sysfs {@code /sys/kernel/mm/hugepages}, for the counts in exhaustion messages
     * @return the source
     * @throws IllegalStateException if pages cannot be pinned here (the reason and fix named)
     */
    static PageSource open(long pageSize, long maxPages, int node, Path sysfs) {
        LongTermPins pins = LongTermPins.open("hugepage bridge");
        try {
            return new PageSource(pageSize, maxPages, node, sysfs, Pagemap.open(), pins);
        } catch (RuntimeException e) {
            pins.close();
            throw e;
        }
    }

    /**
     * Maps, pins and registers {@code pages} huge pages, or returns null when the cap is reached
     * or the kernel has too few free huge pages (the refusal is kept for {@link #exhausted(long, long)}).
     *
     * @param pages how many, {@code > 0}
     * @return the mapping, or null on shortage
     * @throws dev.wdmm.api.WdNativeException if pinning or reading pagemap fails (nothing is kept)
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
        boolean adjacent = pages > 1 && node == Numa.NO_NODE && AdjacentPages.REQUEST.isBound();
        try {
            mapping = adjacent
                    ? AdjacentPages.map(
                            pages,
                            pageSize,
                            flags,
                            pagemap,
                            HugepageCounts.findOrUnknown(sysfs, pageSize).free())
                    : NativeMemory.mmap(pages * pageSize, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, flags);
        } catch (WdNativeException e) {
            held.addAndGet(-pages);
            lastRefusal = e;
            return null;
        } catch (RuntimeException e) {
            held.addAndGet(-pages);
            throw e;
        }
        if (node != Numa.NO_NODE) {
            try {
                Numa.bind(mapping, node);
                NativeMemory.madvise(mapping, NativeMemory.MADV_POPULATE_WRITE);
            } catch (WdNativeException e) {
                // the node has too few free huge pages of this size: a shortage like the kernel's
                NativeMemory.munmap(mapping);
                held.addAndGet(-pages);
                lastRefusal = e;
                return null;
            }
        }
        // pages moved together (AdjacentPages) are one pin per page: some kernels refuse one
        // registration across the moved pages' mappings
        List<LongTermPins.Pin> taken = new ArrayList<>();
        try {
            NativeMemory.madvise(mapping, NativeMemory.MADV_DONTFORK);
            for (long i = 0; i < (adjacent ? pages : 1); i++) {
                taken.add(pins.pin(adjacent ? mapping.asSlice(i * pageSize, pageSize) : mapping));
            }
            register(mapping, pages); // after the pin: the pin may move a page once
        } catch (RuntimeException e) {
            taken.forEach(pins::unpin);
            NativeMemory.munmap(mapping);
            held.addAndGet(-pages);
            throw adjacent && e instanceof WdNativeException n ? AdjacentPages.pinRefused(pages, pageSize, n) : e;
        }
        for (int i = 0; i < taken.size(); i++) {
            pinned.put(mapping.address() + i * pageSize, taken.get(i));
        }
        return mapping;
    }

    @Override
    public long chunkSize() {
        return pageSize;
    }

    @Override
    public long granule() {
        return pageSize;
    }

    /**
     * Whole huge pages, or null on a shortage that giving back this bridge's empty pages may cure
     * (see {@link #tryAcquire}). A shortage they cannot cure (more pages than the cap, or than the
     * free huge pages and every page held together) throws at once, so the refused allocation
     * changes nothing: no cached page is given back for it.
     */
    @Override
    public ChunkMemory acquire(long bytes, long requested) {
        long pages = bytes / pageSize;
        MemorySegment mapping = tryAcquire(pages);
        if (mapping == null) {
            long free = HugepageCounts.findOrUnknown(sysfs, pageSize).free();
            if (pages > maxPages || (free >= 0 && pages > free + held.get())) {
                throw shortage(requested, pages);
            }
            return null;
        }
        return new HugeChunk(mapping, table);
    }

    @Override
    public WdAllocationException exhausted(long requested, long bytes) {
        return shortage(requested, bytes / pageSize);
    }

    @Override
    public void release(ChunkMemory chunk) {
        release(chunk.segment());
    }

    @Override
    public ExternalHolder externalHolder() {
        return ExternalHolder.pinned("hugepage bridge", pagemap);
    }

    @Override
    public String holding() {
        return "one long-term pin per mapping of huge pages";
    }

    /**
     * Counts a failed allocation and describes it: the counts, why, and the fix.
     *
     * @param requested the caller's size
     * @param pages huge pages it needed
     * @return the exception to throw
     */
    private WdAllocationException shortage(long requested, long pages) {
        failures.increment();
        WdNativeException refusal = lastRefusal;
        String why = refusal == null
                ? "max_pages=" + maxPages + " reached (wd.mm.hugepage.max-pages)"
                : "the kernel refused mmap errno=" + refusal.errno() + " (" + NativeMemory.strerror(refusal.errno())
                        + ")";
        long free = HugepageCounts.findOrUnknown(sysfs, pageSize).free();
        String fix = pageSize == 2L << 20
                ? "sysctl vm.nr_hugepages=" + Math.max(256, held.get() + pages + Math.max(free, 0))
                : "echo N > " + sysfs.resolve("hugepages-" + (pageSize >> 10) + "kB/nr_hugepages");
        return new WdAllocationException(
                requested,
                "requested=" + requested + " hugepage_size=" + pageSize
                        + " pages_needed=" + pages + " free_hugepages=" + free + " held_pages=" + held.get()
                        + " alloc_failures=" + failures.sum() + ": " + why + "; free allocations, raise"
                        + " wd.mm.hugepage.max-pages, or reserve more huge pages: " + fix,
                refusal);
    }

    /**
     * Unregisters, unpins and unmaps a mapping made by {@link #tryAcquire}.
     *
     * @param mapping the mapping
     */
    void release(MemorySegment mapping) {
        long pages = mapping.byteSize() / pageSize;
        for (long i = 0; i < pages; i++) {
            table.unregister(mapping.address() + i * pageSize);
        }
        for (long i = 0; i < pages; i++) {
            LongTermPins.Pin pin = pinned.remove(mapping.address() + i * pageSize);
            if (pin != null) {
                pins.unpin(pin);
            }
        }
        NativeMemory.munmap(mapping);
        held.addAndGet(-pages);
    }

    /** Bytes held in place by pins now. */
    long pinnedBytes() {
        return pins.pinnedBytes();
    }

    /** Pages held now. */
    long held() {
        return held.get();
    }

    /** Allocation failures so far. */
    long failures() {
        return failures.sum();
    }

    /** Closes pagemap and the pins; the caller released every mapping first. */
    @Override
    public void close() {
        try {
            pins.close();
        } finally {
            pagemap.close();
        }
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
