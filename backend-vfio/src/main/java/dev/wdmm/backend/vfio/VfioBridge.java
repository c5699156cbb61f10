package dev.wdmm.backend.vfio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdDeviceAccess;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.table.AllocationRegistry;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The VFIO bridge: {@code alloc} gives pinned anonymous pages; {@code iovaMap} maps the pages that
 * cover the range into the container at a fresh IOVA window (VFIO_IOMMU_MAP_DMA) and returns the
 * IOVA of the range's first byte; {@code iovaUnmap} and {@code free} unmap (VFIO_IOMMU_UNMAP_DMA).
 * Thread-safe: the registry and the mapping table are concurrent, each unmap happens exactly once.
 */
final class VfioBridge implements WdMmBridge, WdDeviceAccess {
    private record Mapping(long allocation, long va, long size, long windowIova, long windowSize) {}

    private final VfioContainer container;
    private final IovaAllocator iovas;
    private final AllocationRegistry<MemorySegment> registry = new AllocationRegistry<>("vfio bridge");
    private final Map<Long, Mapping> mappings = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private VfioBridge(VfioContainer container, IovaAllocator iovas) {
        this.container = container;
        this.iovas = iovas;
    }

    static VfioBridge over(VfioContainer container, IovaAllocator iovas) {
        return new VfioBridge(container, iovas);
    }

    @Override
    public MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        checkOpen();
        if (size > Long.MAX_VALUE - IovaAllocator.PAGE) {
            throw new WdAllocationException(
                    size, "size=" + size + " must be <= " + (Long.MAX_VALUE - IovaAllocator.PAGE));
        }
        MemorySegment pages;
        try {
            // NativeMemory's mapping scope: after free or close, access throws instead of crashing
            pages = NativeMemory.mmap(
                    roundUp(size),
                    NativeMemory.PROT_READ | NativeMemory.PROT_WRITE,
                    NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
        } catch (WdNativeException e) {
            throw new WdAllocationException(size, "size=" + size + " refused: " + e.getMessage(), e);
        }
        registry.register(pages.address(), size, pages);
        return pages.asSlice(0, size);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        AllocationRegistry.Entry<MemorySegment> entry = registry.remove(segment.address());
        for (Map.Entry<Long, Mapping> m : mappings.entrySet()) {
            if (m.getValue().allocation() == entry.address() && mappings.remove(m.getKey(), m.getValue())) {
                release(m.getValue());
            }
        }
        NativeMemory.munmap(entry.attachment());
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        checkOpen();
        long va = segment.address();
        AllocationRegistry.Entry<MemorySegment> entry = registry.find(va, size);
        long windowVa = va & -IovaAllocator.PAGE;
        long windowSize = roundUp(va + size - windowVa);
        long windowIova = iovas.allocate(windowSize);
        try {
            container.map(windowVa, windowIova, windowSize);
        } catch (RuntimeException e) {
            iovas.release(windowIova, windowSize);
            throw e;
        }
        long iova = windowIova + (va - windowVa);
        mappings.put(iova, new Mapping(entry.address(), va, size, windowIova, windowSize));
        return iova;
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        checkOpen();
        Mapping m = mappings.get(iova);
        if (m == null || m.va() != segment.address() || m.size() != size) {
            throw new WdMappingException(
                    segment.address(),
                    size,
                    -1,
                    "va=" + hex(segment.address()) + " iova=" + hex(iova)
                            + " size=" + size + " does not match a live mapping of this vfio bridge"
                            + (m == null ? "" : " (that iova maps va=" + hex(m.va()) + " size=" + m.size() + ")"));
        }
        if (mappings.remove(iova, m)) {
            release(m);
        }
    }

    @Override
    public String device() {
        return container.device();
    }

    @Override
    public int deviceFd() {
        checkOpen();
        return container.deviceFd();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Mapping m : mappings.values()) {
            release(m);
        }
        mappings.clear();
        for (AllocationRegistry.Entry<MemorySegment> entry : registry.drain()) {
            NativeMemory.munmap(entry.attachment());
        }
        container.close();
    }

    private void release(Mapping m) {
        container.unmap(m.windowIova(), m.windowSize());
        iovas.release(m.windowIova(), m.windowSize());
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new WdClosedException("vfio bridge of device=" + container.device() + " is closed");
        }
    }

    private static long roundUp(long size) {
        return (size + IovaAllocator.PAGE - 1) & -IovaAllocator.PAGE;
    }

    @Override
    public String toString() {
        return "vfio bridge device=" + container.device() + " live=" + registry.size() + " mappings=" + mappings.size();
    }
}
