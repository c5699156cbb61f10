package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.alloc.ChunkSource;
import dev.wdmm.memory.alloc.ExternalHolder;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.nativeio.Pagemap;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The no-IOMMU bridge's chunk source: 2 MiB-aligned chunks of anonymous base pages (a larger
 * allocation gets a chunk of its own size), each mapped, kept out of forked children
 * ({@code MADV_DONTFORK}) and held in place by <em>one</em> long-term pin ({@link LongTermPins}:
 * the kernel's {@code FOLL_LONGTERM}, which compaction, migration and memory offlining respect; an
 * {@code mlock} would not); the frame numbers are read from pagemap once, after pinning, into the
 * chunk ({@link PinnedChunk}). Release unpins, then unmaps. Thread-safe.
 */
final class PinnedChunks implements ChunkSource {
    /** Bytes of a chunk carved into size classes, and the alignment of every chunk. */
    static final long CHUNK_SIZE = 2L << 20;
    /** Chunks above this size are first checked against {@code MemAvailable}. */
    static final long LARGE = 64L << 20;

    private final String owner;
    private final long pageSize = NativeMemory.pageSize();
    private final int pageShift = Long.numberOfTrailingZeros(pageSize);
    private final Pagemap pagemap;
    private final LongTermPins pins;
    private final AtomicLong pinnedBytes = new AtomicLong();
    private volatile WdNativeException lastRefusal;
    private volatile String lastStep = "mapped";
    private final int node;

    PinnedChunks(String owner, Pagemap pagemap, int node) {
        this.owner = owner;
        this.node = node;
        this.pagemap = pagemap;
        this.pins = LongTermPins.open(owner);
    }

    @Override
    public long chunkSize() {
        return CHUNK_SIZE;
    }

    @Override
    public long granule() {
        return pageSize;
    }

    @Override
    public ChunkMemory acquire(long bytes, long requested) {
        checkAvailableRam(requested, bytes);
        MemorySegment mapping;
        try {
            mapping = NativeMemory.mmapAligned(
                    bytes, CHUNK_SIZE, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
            NativeMemory.madvise(mapping, NativeMemory.MADV_DONTFORK);
        } catch (WdNativeException e) {
            return refused("mapped", e);
        }
        if (node != Numa.NO_NODE) {
            try {
                // before the pin faults the pages in: they are allocated on the node
                Numa.bind(mapping, node);
            } catch (WdNativeException e) {
                NativeMemory.munmap(mapping);
                return refused("bound to node " + node, e);
            }
        }
        LongTermPins.Pin pin = pin(mapping);
        if (pin == null) {
            return null;
        }
        try {
            long[] frames = new long[(int) (bytes >>> pageShift)];
            pagemap.frameNumbers(mapping.address(), frames); // after the pin: the pin may move a page once
            return new PinnedChunk(mapping, pin, frames, pageShift);
        } catch (RuntimeException e) {
            release(mapping, pin);
            throw e;
        }
    }

    /** Pins a fresh mapping (which faults its pages in); on a refusal unmaps it and returns null. */
    private LongTermPins.Pin pin(MemorySegment mapping) {
        try {
            LongTermPins.Pin pin = pins.pin(mapping);
            pinnedBytes.addAndGet(mapping.byteSize());
            return pin;
        } catch (IllegalStateException closed) {
            NativeMemory.munmap(mapping);
            throw new WdClosedException(owner + " is closed: alloc refused (" + closed.getMessage() + ")");
        } catch (WdNativeException e) {
            NativeMemory.munmap(mapping);
            refused("pinned in place", e);
            return null;
        }
    }

    private ChunkMemory refused(String step, WdNativeException e) {
        lastStep = step;
        lastRefusal = e;
        return null;
    }

    @Override
    public WdAllocationException exhausted(long requested, long bytes) {
        WdNativeException refusal = lastRefusal;
        return new WdAllocationException(
                requested,
                "size=" + requested + " needs chunk_bytes=" + bytes
                        + " of whole pages, which cannot be " + lastStep + " (pinned by this bridge="
                        + pinnedBytes.get() + "): "
                        + (refusal == null ? "refused" : refusal.getMessage()),
                refusal);
    }

    @Override
    public void release(ChunkMemory chunk) {
        release(chunk.segment(), ((PinnedChunk) chunk).pin());
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

    @Override
    public ExternalHolder externalHolder() {
        return ExternalHolder.pinned(owner, pagemap);
    }

    @Override
    public String holding() {
        return "one long-term pin per 2 MiB chunk (a larger allocation: one for its own chunk)";
    }

    /** Closes the pins (unpinning whatever is still pinned); the allocator released every chunk first. */
    @Override
    public void close() {
        pins.close();
    }

    /** Bytes pinned now (whole chunks). */
    long pinnedBytes() {
        return pinnedBytes.get();
    }

    /** Refuses, before touching anything, a chunk that would push the machine into the OOM killer. */
    private static void checkAvailableRam(long requested, long bytes) {
        if (bytes <= LARGE) {
            return;
        }
        long available = memAvailable();
        if (available >= 0 && bytes > available) {
            throw new WdAllocationException(
                    requested,
                    "size=" + requested + " (" + bytes + " bytes) must be <=" + " MemAvailable=" + available
                            + " bytes: pinned memory cannot be swapped out");
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
}
