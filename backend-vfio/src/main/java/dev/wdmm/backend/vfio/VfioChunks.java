package dev.wdmm.backend.vfio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.alloc.ChunkSource;
import dev.wdmm.memory.events.WdEvents;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Vfio;
import dev.wdmm.memory.nativeio.VfioIommuInfo;
import dev.wdmm.memory.nativeio.VfioMappings;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The VFIO bridge's chunk source: 2 MiB-aligned chunks of anonymous memory (a larger allocation
 * gets a chunk of its own size), each kept out of forked children ({@code MADV_DONTFORK}) and
 * mapped into the container by <em>one</em> {@code VFIO_IOMMU_MAP_DMA} when acquired, which also
 * pins its pages for as long as the mapping lives. Release unmaps ({@code VFIO_IOMMU_UNMAP_DMA})
 * before it unmaps the memory, so the device never reaches memory the process gave back.
 *
 * <p>IOVAs: in {@link IovaMode#ALLOCATED} mode from an {@link IovaAllocator} over the kernel's
 * usable ranges, 2 MiB-aligned: adjacent to the IOVAs of a live chunk whose addresses are
 * adjacent to the new one's, else at the IOVA that mirrors its address ({@link IovaAllocator#mirror}),
 * else the first free range, so that neighbouring chunks form one IOVA-contiguous range; in
 * {@link IovaMode#VA} mode the chunk's own address, refused if outside the usable ranges. The
 * kernel's type1 v2 IOMMU cannot unmap part of a mapping, so each chunk stays one kernel mapping
 * (merging two would tie their release together); the count is kept ({@link #statistics()}).
 * Thread-safe.
 */
final class VfioChunks implements ChunkSource {
    /** Bytes of a chunk carved into size classes, and the alignment of every chunk and of its IOVA. */
    static final long CHUNK_SIZE = 2L << 20;

    private final DmaMapper kernel;
    /** Names the device in JFR events. */
    private final String device;

    private final IovaMode mode;
    private final IovaAllocator iovas;
    private final VfioIommuInfo info;
    private final Map<Long, VfioChunk> byStart = new ConcurrentHashMap<>();
    private final Map<Long, VfioChunk> byEnd = new ConcurrentHashMap<>();
    private final AtomicLong mapCalls = new AtomicLong();
    private final AtomicLong unmapCalls = new AtomicLong();
    private final AtomicLong acquired = new AtomicLong();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong adjacent = new AtomicLong();
    private final AtomicLong mappedBytes = new AtomicLong();
    private volatile String lastRefusal = "refused";

    /**
     * A source mapping into {@code kernel}.
     *
     * @param iovas the IOVA allocator ({@link IovaMode#ALLOCATED}), or null ({@link IovaMode#VA})
     * @param info the container's usable ranges and {@code dma_avail}, as read when it was opened
     */
    VfioChunks(DmaMapper kernel, IovaAllocator iovas, VfioIommuInfo info) {
        this.kernel = kernel;
        this.device = kernel instanceof Container container ? container.device() : String.valueOf(kernel);
        this.mode = iovas == null ? IovaMode.VA : IovaMode.ALLOCATED;
        this.iovas = iovas;
        this.info = info;
    }

    @Override
    public long chunkSize() {
        return CHUNK_SIZE;
    }

    @Override
    public long granule() {
        return IovaAllocator.PAGE;
    }

    @Override
    public ChunkMemory acquire(long bytes, long requested) {
        MemorySegment mapping;
        try {
            mapping = NativeMemory.mmapAligned(
                    bytes, CHUNK_SIZE, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
        } catch (WdNativeException e) {
            lastRefusal = "mmap refused: " + e.getMessage();
            return null;
        }
        try {
            NativeMemory.madvise(mapping, NativeMemory.MADV_DONTFORK);
            hugePages(mapping);
            long iova = iovaFor(mapping.address(), bytes, requested);
            if (iova == -1) {
                NativeMemory.munmap(mapping);
                return null;
            }
            return mapped(mapping, iova);
        } catch (RuntimeException e) {
            NativeMemory.munmap(mapping);
            throw e;
        }
    }

    private static void hugePages(MemorySegment mapping) {
        try {
            NativeMemory.madvise(mapping, NativeMemory.MADV_HUGEPAGE);
        } catch (WdNativeException noThp) {
            // a kernel without transparent huge pages: base pages serve as well (more IOMMU entries)
        }
    }

    /** The chunk's IOVA, or -1 (reason in lastRefusal) when the IOVA space is full. */
    private long iovaFor(long va, long bytes, long requested) {
        if (mode == IovaMode.VA) {
            if (!info.usable(va, bytes)) {
                throw new WdAllocationException(
                        requested,
                        "size=" + requested + " refused: va=" + hex(va) + " bytes=" + bytes + " cannot be its own IOVA"
                                + " (wd.mm.vfio.iova.mode=va): it lies outside the usable IOVA ranges " + info.ranges()
                                + "; fix: wd.mm.vfio.iova.mode=allocated");
            }
            return va;
        }
        VfioChunk below = byEnd.get(va);
        if (below != null && iovas.allocateAt(below.iova() + below.segment().byteSize(), bytes)) {
            return below.iova() + below.segment().byteSize();
        }
        VfioChunk above = byStart.get(va + bytes);
        if (above != null && above.iova() >= bytes && iovas.allocateAt(above.iova() - bytes, bytes)) {
            return above.iova() - bytes;
        }
        long mirrored = iovas.mirror(va, bytes, CHUNK_SIZE);
        if (mirrored != -1 && iovas.allocateAt(mirrored, bytes)) {
            return mirrored;
        }
        long iova = iovas.allocate(bytes, CHUNK_SIZE);
        if (iova == -1) {
            lastRefusal = "no free IOVA range of bytes=" + bytes + " in " + iovas.space() + " (free="
                    + iovas.freeBytes() + "); free allocations, or widen wd.mm.vfio.iova.base/limit";
        }
        return iova;
    }

    /** One VFIO_IOMMU_MAP_DMA for the chunk; a kernel shortage returns null (after giving the IOVA back). */
    private ChunkMemory mapped(MemorySegment mapping, long iova) {
        long bytes = mapping.byteSize();
        try {
            mapCalls.incrementAndGet();
            kernel.map(mapping.address(), iova, bytes);
            WdEvents.vfioMap(device, mapping.address(), iova, bytes);
        } catch (WdNativeException e) {
            giveBack(iova, bytes);
            if (e.errno() == Vfio.ENOSPC || e.errno() == Vfio.ENOMEM) {
                lastRefusal = e.getMessage();
                NativeMemory.munmap(mapping);
                return null;
            }
            throw e;
        }
        VfioChunk chunk = new VfioChunk(mapping, iova);
        VfioChunk below = byEnd.get(mapping.address());
        VfioChunk above = byStart.get(chunk.end());
        if ((below != null && below.iova() + below.segment().byteSize() == iova)
                || (above != null && above.iova() == iova + bytes)) {
            adjacent.incrementAndGet();
        }
        byStart.put(mapping.address(), chunk);
        byEnd.put(chunk.end(), chunk);
        acquired.incrementAndGet();
        mappedBytes.addAndGet(bytes);
        return chunk;
    }

    private void giveBack(long iova, long bytes) {
        if (iovas != null) {
            iovas.release(iova, bytes);
        }
    }

    @Override
    public WdAllocationException exhausted(long requested, long bytes) {
        return new WdAllocationException(
                requested,
                "size=" + requested + " needs chunk_bytes=" + bytes + " mapped into the VFIO container (mapped by this"
                        + " bridge=" + mappedBytes.get() + " bytes in " + (acquired.get() - released.get())
                        + " kernel mappings): " + lastRefusal);
    }

    /**
     * Unmaps the chunk from the container, then unmaps its memory (its segment's scope closed
     * first). If the kernel refuses the unmap, the IOVA range stays reserved (it may still be
     * mapped) and the failure is thrown after the memory is unmapped.
     */
    @Override
    public void release(ChunkMemory memory) {
        VfioChunk chunk = (VfioChunk) memory;
        long bytes = chunk.segment().byteSize();
        byStart.remove(chunk.segment().address(), chunk);
        byEnd.remove(chunk.end(), chunk);
        released.incrementAndGet();
        mappedBytes.addAndGet(-bytes);
        try {
            unmapCalls.incrementAndGet();
            long unmapped = kernel.unmap(chunk.iova(), bytes);
            WdEvents.vfioUnmap(device, chunk.iova(), unmapped);
            if (unmapped != bytes) {
                throw new IllegalStateException("VFIO_IOMMU_UNMAP_DMA(iova=" + hex(chunk.iova()) + " size=" + bytes
                        + ") unmapped bytes=" + unmapped + ", not the chunk's " + bytes);
            }
            giveBack(chunk.iova(), bytes);
        } finally {
            NativeMemory.munmap(chunk.segment());
        }
    }

    @Override
    public String holding() {
        return "one VFIO_IOMMU_MAP_DMA per 2 MiB chunk (a larger allocation: one for its own chunk), which pins its"
                + " pages until the chunk is released";
    }

    @Override
    public void close() {
        // nothing beyond the chunks: the bridge closes the container after the allocator
    }

    /** The counters of this source. */
    VfioMappings.Statistics statistics() {
        return new VfioMappings.Statistics(
                mode.text(),
                mapCalls.get(),
                unmapCalls.get(),
                acquired.get(),
                released.get(),
                acquired.get() - released.get(),
                adjacent.get());
    }
}
