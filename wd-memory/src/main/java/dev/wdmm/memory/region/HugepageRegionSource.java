package dev.wdmm.memory.region;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.memory.nativeio.HugepageCounts;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Pagemap;
import dev.wdmm.spi.WdArguments;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reserved memory from one mapping of 2 MiB huge pages (see {@link RegionSources#hugepages()}),
 * kept out of forked children and held in place by a long-term pin for as long as it is reserved;
 * slices are read from pagemap after pinning. Thread-safe: live regions are kept in a concurrent
 * map keyed by start address, and a release removes its entry atomically before unpinning and
 * unmapping, so a region is released at most once.
 */
final class HugepageRegionSource implements WdRegionSource {
    static final long HUGE_PAGE = 2L << 20;
    private static final int ENOMEM = 12;

    private final Path sysfs;
    private final ConcurrentHashMap<Long, Held> live = new ConcurrentHashMap<>();

    /** A live region and the pins that hold it in place (one ring per region, closed on release). */
    private record Held(WdReservedMemory region, LongTermPins pins) {}

    private HugepageRegionSource(Path sysfs) {
        this.sysfs = sysfs;
    }

    static HugepageRegionSource create(Path sysfs) {
        return new HugepageRegionSource(Objects.requireNonNull(sysfs, "sysfs is null"));
    }

    @Override
    public WdReservedMemory reserve(long size) {
        WdArguments.requirePositive("size", size);
        if (size > RegionSources.MAX_RESERVATION) {
            throw new IllegalArgumentException("size=" + size + " must be <= " + RegionSources.MAX_RESERVATION
                    + " (1 TiB) for one huge page reservation");
        }
        Optional<String> hidden = Pagemap.unavailabilityCause();
        if (hidden.isPresent()) {
            throw new IllegalStateException("cannot reserve DMA memory from huge pages: " + hidden.get());
        }
        LongTermPins pins = LongTermPins.open("hugepage region source");
        long pages = (size + HUGE_PAGE - 1) / HUGE_PAGE;
        MemorySegment mapping;
        try {
            mapping = map(size, pages);
        } catch (RuntimeException | Error e) {
            pins.close();
            throw e;
        }
        try {
            NativeMemory.madvise(mapping, NativeMemory.MADV_DONTFORK);
            pins.pin(mapping);
            // slices after the pin: the pin may move a page once
            WdReservedMemory region = new WdReservedMemory(mapping, slices(mapping.address(), pages));
            live.put(mapping.address(), new Held(region, pins));
            return region;
        } catch (RuntimeException | Error e) {
            pins.close();
            NativeMemory.munmap(mapping);
            throw e;
        }
    }

    @Override
    public void release(WdReservedMemory region) {
        Objects.requireNonNull(region, "region is null");
        long address = region.segment().address();
        Held held = live.get(address);
        if (held == null
                || held.region().segment().byteSize() != region.segment().byteSize()
                || !held.region().slices().equals(region.slices())) {
            throw new IllegalArgumentException(
                    "region va=" + hex(address) + " size=" + region.segment().byteSize()
                            + " must be a live region reserved by this source (foreign or already released)");
        }
        if (!live.remove(address, held)) {
            throw new IllegalArgumentException("region va=" + hex(address) + " was released concurrently");
        }
        try {
            held.pins().close(); // unpins the region: the caller has no device using it any more
        } finally {
            NativeMemory.munmap(held.region().segment());
        }
    }

    private MemorySegment map(long size, long pages) {
        int flags = NativeMemory.MAP_PRIVATE
                | NativeMemory.MAP_HUGETLB
                | NativeMemory.hugePageSizeFlag(HUGE_PAGE)
                | NativeMemory.MAP_POPULATE;
        try {
            return NativeMemory.mmap(pages * HUGE_PAGE, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, flags);
        } catch (WdNativeException e) {
            if (e.errno() != ENOMEM) {
                throw e;
            }
            HugepageCounts.Pool counts = HugepageCounts.findOrUnknown(sysfs, HUGE_PAGE);
            long free = counts.free();
            long total = counts.total();
            String fix = free < 0 || total < 0
                    ? "sysctl vm.nr_hugepages=N with N >= nr_hugepages + " + pages
                    : "sysctl vm.nr_hugepages=" + (total + pages - Math.min(free, pages));
            throw new WdAllocationException(
                    size,
                    "reserving size=" + size + " needs " + pages
                            + " free 2 MiB huge pages but free_hugepages=" + (free < 0 ? "unknown" : free)
                            + " (nr_hugepages=" + (total < 0 ? "unknown" : total) + "); fix as root: " + fix,
                    e);
        }
    }

    /** One slice per maximal run of physically adjacent huge pages. */
    private static List<WdSlice> slices(long base, long pages) {
        List<WdSlice> slices = new ArrayList<>();
        try (Pagemap pagemap = Pagemap.open()) {
            long runVa = base;
            long runPa = pagemap.physicalAddress(base);
            long runSize = HUGE_PAGE;
            for (long i = 1; i < pages; i++) {
                long va = base + i * HUGE_PAGE;
                long pa = pagemap.physicalAddress(va);
                if (pa == runPa + runSize) {
                    runSize += HUGE_PAGE;
                } else {
                    slices.add(new WdSlice(runVa, runPa, runSize));
                    runVa = va;
                    runPa = pa;
                    runSize = HUGE_PAGE;
                }
            }
            slices.add(new WdSlice(runVa, runPa, runSize));
        }
        return slices;
    }

    /** A 2 MiB huge page count from sysfs, or -1 when it cannot be read. */
    @Override
    public String toString() {
        return "hugepage region source (2 MiB pages, " + live.size() + " live regions)";
    }
}
