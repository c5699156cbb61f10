package dev.wdmm.backend.noiommu;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.core.memory.AllocationRegistry;
import dev.wdmm.core.memory.PageDirectory;
import dev.wdmm.core.nativeio.LongTermPins;
import dev.wdmm.core.nativeio.NativeMemory;
import dev.wdmm.core.nativeio.Pagemap;
import dev.wdmm.core.nativeio.PhysicalContiguity;
import dev.wdmm.spi.WdArguments;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The no-IOMMU bridge: every allocation is its own anonymous mapping, rounded up to whole pages,
 * kept out of forked children and held in place by a long-term pin ({@link LongTermPins}: the
 * kernel's {@code FOLL_LONGTERM}, which compaction, migration and memory offlining respect; an
 * {@code mlock} would not). Its frame numbers are read from pagemap once, with one batched read,
 * <em>after</em> pinning: pinned pages do not move, so every later map or contiguity query is
 * arithmetic on that table, without a system call. The pin is dropped on {@code free} (or
 * {@code close}), before the memory is unmapped.
 *
 * <p>Maps and contiguity queries find their allocation in O(1), whatever the number of live
 * allocations, through a {@link PageDirectory} in which every page of an allocation points to its
 * immutable {@code Pages} record; they take no lock and allocate nothing. Frees go through an
 * {@link AllocationRegistry}, which tells foreign, interior and double frees apart; refused maps
 * ask it too, for the same reasons in their messages.
 *
 * <p>Thread-safe: lookups are lock-free; directory writes (alloc, free) are serialized.
 */
final class NoIommuBridge implements WdMmBridge, PhysicalContiguity {
    /** Allocations above this size are first checked against {@code MemAvailable}. */
    static final long LARGE = 64L << 20;
    private static final String OWNER = "noiommu bridge";

    private final long pageSize = NativeMemory.pageSize();
    private final int pageShift = Long.numberOfTrailingZeros(pageSize);
    private final AllocationRegistry<Pages> registry = new AllocationRegistry<>(OWNER);
    private final PageDirectory<Pages> directory = PageDirectory.create(pageShift);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong pinnedBytes = new AtomicLong();
    private final LongTermPins pins;

    /**
     * The physical layout of one allocation.
     *
     * @param address start address
     * @param size bytes the caller asked for
     * @param mapping the whole mapping (whole pages)
     * @param pin what holds the mapping's pages in place
     * @param frames the frame number of each page
     * @param runEnd for each page, the index of the last page of its physically contiguous run
     */
    private record Pages(long address, long size, MemorySegment mapping, LongTermPins.Pin pin, long[] frames,
            int[] runEnd) {
        /** Whether {@code [va, va + length)} ({@code length > 0}, not wrapping) lies inside the allocation. */
        boolean contains(long va, long length) {
            long offset = va - address;
            return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
        }
    }

    private NoIommuBridge(LongTermPins pins) {
        this.pins = pins;
    }

    /** Opens a bridge; the caller has checked that pagemap shows PFNs and that pages can be pinned. */
    static NoIommuBridge open() {
        SharedPagemap.INSTANCE.pageSize();
        return new NoIommuBridge(LongTermPins.open(OWNER));
    }

    @Override
    public MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        long maxPages = Integer.MAX_VALUE - 8L;
        if (size > maxPages * pageSize) {
            throw new IllegalArgumentException("size=" + size + " must be <= " + maxPages * pageSize);
        }
        checkOpen("alloc");
        long rounded = (size + pageSize - 1) & -pageSize;
        checkAvailableRam(size, rounded);
        MemorySegment mapping = mapAndPin(size, rounded);
        LongTermPins.Pin pin = pinOf(mapping);
        Pages pages;
        try {
            long[] frames = new long[(int) (rounded >>> pageShift)];
            SharedPagemap.INSTANCE.frameNumbers(mapping.address(), frames); // after the pin: the pin may move a page once
            pages = new Pages(mapping.address(), size, mapping, pin, frames, runEnds(frames));
        } catch (RuntimeException e) {
            release(mapping, pin);
            throw e;
        }
        directory.set(mapping.address(), rounded, pages); // first, so that a racing close() clears it
        registry.register(mapping.address(), size, pages);
        if (closed.get()) {
            try {
                release(registry.remove(mapping.address()).attachment());
            } catch (IllegalArgumentException alreadyDrained) {
                // close() drained and released it
            }
            throw new WdClosedException(OWNER + " is closed: alloc(size=" + size + ") refused");
        }
        return mapping.asSlice(0, size);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        checkOpen("free");
        release(registry.remove(segment.address()).attachment());
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        checkOpen("iovaMap");
        return translate(segment.address(), size);
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        checkOpen("iovaUnmap");
        WdArguments.requireMatchingIova(segment.address(), size, iova, translate(segment.address(), size));
    }

    @Override
    public long contiguousLength(MemorySegment segment, long limit) {
        WdArguments.requireNative("segment", segment);
        if (limit <= 0) {
            throw new IllegalArgumentException("limit=" + limit + " must be > 0");
        }
        WdArguments.requireRange(segment, limit);
        checkOpen("contiguousLength");
        long va = segment.address();
        Pages pages = owner(va, 1);
        long offset = va - pages.address();
        int first = (int) (offset >>> pageShift);
        long runBytes = ((long) (pages.runEnd()[first] + 1) << pageShift) - offset;
        return Math.min(limit, Math.min(runBytes, pages.size() - offset));
    }

    /** Frees every allocation still live (unpinned, then unmapped) and closes the pins. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                for (AllocationRegistry.Entry<Pages> entry : registry.drain()) {
                    release(entry.attachment());
                }
            } finally {
                pins.close();
            }
        }
    }

    /** Bytes currently pinned by this bridge (whole pages). */
    long pinnedBytes() {
        return pinnedBytes.get();
    }

    @Override
    public String toString() {
        return "NoIommuBridge[allocations=" + registry.size() + ", pinnedBytes=" + pinnedBytes.get()
                + (closed.get() ? ", closed" : "") + "]";
    }

    private long translate(long va, long size) {
        Pages pages = owner(va, size);
        long offset = va - pages.address();
        int first = (int) (offset >>> pageShift);
        int last = (int) ((offset + size - 1) >>> pageShift);
        int runEnd = pages.runEnd()[first];
        if (runEnd < last) {
            long breakOffset = ((long) (runEnd + 1) << pageShift) - offset;
            throw new WdMappingException(va, size, breakOffset, "va=" + hex(va) + " size=" + size
                    + " is not physically contiguous: contiguity breaks at offset=" + breakOffset + " (va="
                    + hex(va + breakOffset) + " is at pa=" + hex(pages.frames()[runEnd + 1] << pageShift)
                    + ", not pa=" + hex((pages.frames()[runEnd] + 1) << pageShift) + "); map at most " + breakOffset
                    + " bytes from here, or split the range (contiguousLength, or a scatter-gather list)");
        }
        return (pages.frames()[first] << pageShift) | (offset & (pageSize - 1));
    }

    /** Maps whole pages, keeps them out of forked children; the pin (which faults them in) follows. */
    private MemorySegment mapAndPin(long size, long rounded) {
        MemorySegment mapping;
        try {
            mapping = NativeMemory.mmap(rounded, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE,
                    NativeMemory.MAP_PRIVATE);
            NativeMemory.madvise(mapping, NativeMemory.MADV_DONTFORK);
        } catch (WdNativeException e) {
            throw new WdAllocationException(size, "size=" + size + " (" + rounded + " bytes of whole pages) cannot be"
                    + " mapped: " + e.getMessage(), e);
        }
        return mapping;
    }

    /** Pins a fresh mapping; unmaps it when the kernel refuses. */
    private LongTermPins.Pin pinOf(MemorySegment mapping) {
        LongTermPins.Pin pin;
        try {
            pin = pins.pin(mapping);
        } catch (IllegalStateException e) {
            NativeMemory.munmap(mapping);
            throw new WdClosedException(OWNER + " is closed: alloc refused (" + e.getMessage() + ")");
        } catch (WdNativeException e) {
            NativeMemory.munmap(mapping);
            throw new WdAllocationException(mapping.byteSize(), "size=" + mapping.byteSize() + " bytes of whole pages"
                    + " cannot be pinned in place (pinned by this bridge=" + pinnedBytes.get() + "): "
                    + e.getMessage(), e);
        }
        pinnedBytes.addAndGet(mapping.byteSize());
        return pin;
    }

    /** Unpins (the device must be done with it), then unmaps. */
    private void release(MemorySegment mapping, LongTermPins.Pin pin) {
        try {
            pins.unpin(pin);
        } catch (IllegalStateException closedPins) {
            // close() closed the pins first, which unpinned everything
        } finally {
            pinnedBytes.addAndGet(-mapping.byteSize());
            NativeMemory.munmap(mapping);
        }
    }

    /** Forgets the allocation's pages in the directory (before the address can be reused), then releases it. */
    private void release(Pages pages) {
        directory.clear(pages.address(), pages.mapping().byteSize());
        release(pages.mapping(), pages.pin());
    }

    /**
     * The live allocation containing the whole range: one directory lookup; when that misses, the
     * registry finds it (a racing alloc) or throws the ownership exception naming the reason.
     */
    private Pages owner(long va, long size) {
        Pages pages = directory.find(va);
        if (pages != null && pages.contains(va, size)) {
            return pages;
        }
        return registry.find(va, size).attachment();
    }

    /** Refuses, before touching anything, an allocation that would push the machine into the OOM killer. */
    private static void checkAvailableRam(long size, long rounded) {
        if (rounded <= LARGE) {
            return;
        }
        long available = memAvailable();
        if (available >= 0 && rounded > available) {
            throw new WdAllocationException(size, "size=" + size + " (" + rounded + " bytes) must be <= MemAvailable="
                    + available + " bytes: pinned memory cannot be swapped out");
        }
    }

    private static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static int[] runEnds(long[] frames) {
        int[] runEnd = new int[frames.length];
        runEnd[frames.length - 1] = frames.length - 1;
        for (int i = frames.length - 2; i >= 0; i--) {
            runEnd[i] = frames[i + 1] == frames[i] + 1 ? runEnd[i + 1] : i;
        }
        return runEnd;
    }

    private void checkOpen(String operation) {
        if (closed.get()) {
            throw new WdClosedException(OWNER + " is closed: " + operation + " refused");
        }
    }

    /** The process's pagemap, opened on first use and kept open for the life of the process. */
    private static final class SharedPagemap {
        static final Pagemap INSTANCE = Pagemap.open();
    }
}
