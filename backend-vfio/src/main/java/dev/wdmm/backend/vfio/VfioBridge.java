package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdDeviceAccess;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.ChunkAllocator;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.nativeio.VfioIommuInfo;
import dev.wdmm.memory.nativeio.VfioMappings;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The VFIO bridge: wd-memory's {@link ChunkAllocator} over {@link VfioChunks}, 2 MiB chunks each
 * mapped into the container by one {@code VFIO_IOMMU_MAP_DMA} when acquired (and unmapped when
 * released), not per map call. Sizes up to 1 MiB come from power-of-two size classes carved from
 * chunks; larger ones get a chunk of their own. {@code iovaMap} is arithmetic (address → chunk →
 * chunk IOVA + offset): no system call, no lock, no Java object; {@code iovaUnmap} checks that the
 * IOVA is the one {@code iovaMap} gives and calls no kernel either (the chunk stays mapped until it
 * is released).
 *
 * <p><b>Lifetime:</b> each segment is a slice of its chunk's mapping: once the chunk is released
 * (a large allocation freed, an empty chunk given back, {@link #close()}) access throws
 * {@link IllegalStateException}.
 *
 * <p>Capabilities ({@code unwrap}): {@link WdDeviceAccess} (the device fd) and
 * {@link VfioMappings} (the kernel calls made, the usable IOVA ranges).
 *
 * <p>Thread-safe: alloc and free lock one bin; maps and unmaps take no lock.
 */
final class VfioBridge implements WdMmBridge, WdDeviceAccess, VfioMappings {
    private final Container container;
    private final VfioChunks chunks;
    private final ChunkAllocator allocator;
    private final AtomicBoolean closed;
    private final LeakReports.Watch watch;

    private VfioBridge(Container container, VfioChunks chunks, long limitBytes) {
        this.container = container;
        this.chunks = chunks;
        String owner = "vfio bridge device=" + container.device();
        ChunkAllocator opened =
                ChunkAllocator.open(chunks, AllocatorSettings.of(owner).withLimit(limitBytes));
        AtomicBoolean done = new AtomicBoolean();
        this.allocator = opened;
        this.closed = done;
        this.watch = LeakReports.watch(this, owner, () -> release(done, opened, container));
    }

    /** Frees every allocation (every chunk unmapped from the container, then from memory), closes the container. */
    private static void release(AtomicBoolean done, ChunkAllocator allocator, Container container) {
        if (done.compareAndSet(false, true)) {
            try {
                allocator.close();
            } finally {
                container.close();
            }
        }
    }

    /**
     * A bridge over an open container; {@code iovas} null means IOVA == virtual address.
     *
     * @throws RuntimeException after closing the container, if the allocator cannot be opened
     */
    static VfioBridge over(Container container, IovaAllocator iovas) {
        return over(container, iovas, WdStats.NO_LIMIT);
    }

    /** As {@link #over(Container, IovaAllocator)}, with a limit on the bytes of chunks held (mapped). */
    static VfioBridge over(Container container, IovaAllocator iovas, long limitBytes) {
        try {
            return new VfioBridge(container, new VfioChunks(container, iovas, container.info()), limitBytes);
        } catch (RuntimeException e) {
            container.close();
            throw e;
        }
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
    public String device() {
        return container.device();
    }

    @Override
    public int deviceFd() {
        if (closed.get()) {
            throw new WdClosedException("vfio bridge of device=" + container.device() + " is closed");
        }
        return container.deviceFd();
    }

    @Override
    public VfioIommuInfo iommuInfo() {
        return container.info();
    }

    @Override
    public Statistics statistics() {
        return chunks.statistics();
    }

    /** Frees every allocation still live (every chunk unmapped from the container, then from memory), closes the container. */
    @Override
    public void close() {
        watch.close();
    }

    /** The allocator's figures, with the container's kernel mappings (one per chunk). */
    @Override
    public WdStats stats() {
        WdStats below = allocator.stats();
        VfioMappings.Statistics kernel = chunks.statistics();
        return new WdStats(
                below.owner(),
                true,
                below.liveAllocations(),
                below.liveBytes(),
                below.totalAllocations(),
                below.allocationFailures(),
                below.heldBytes(),
                below.peakHeldBytes(),
                below.heldBySize(),
                below.limitBytes(),
                kernel.kernelMappings(),
                kernel.chunksAcquired(),
                null);
    }

    @Override
    public String toString() {
        return "vfio bridge device=" + container.device() + " live=" + allocator.liveAllocations() + " "
                + chunks.statistics() + (allocator.isClosed() ? " closed" : "");
    }
}
