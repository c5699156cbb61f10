package dev.wdmm.backend.vfio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.alloc.ExternalHolder;
import dev.wdmm.memory.nativeio.VfioIommuInfo;
import java.lang.foreign.MemorySegment;

/**
 * How the VFIO bridge holds registered memory: one {@code VFIO_IOMMU_MAP_DMA} per registration
 * (which pins its pages), at an IOVA from the bridge's {@link IovaAllocator} (2 MiB-aligned for a
 * registration of 2 MiB or more) or, in {@link IovaMode#VA}, at its own address; one
 * {@code VFIO_IOMMU_UNMAP_DMA} on release. These kernel calls are not counted in the bridge's
 * {@link dev.wdmm.memory.nativeio.VfioMappings} statistics, which count chunks. The allocator serializes hold and release; thread-safe.
 */
final class VfioRegistrations implements ExternalHolder {
    private final DmaMapper kernel;
    private final IovaAllocator iovas;
    private final VfioIommuInfo info;

    VfioRegistrations(DmaMapper kernel, IovaAllocator iovas, VfioIommuInfo info) {
        this.kernel = kernel;
        this.iovas = iovas;
        this.info = info;
    }

    @Override
    public ChunkMemory hold(MemorySegment segment) {
        long va = segment.address();
        long bytes = segment.byteSize();
        long iova = iovaFor(va, bytes);
        try {
            kernel.map(va, iova, bytes);
        } catch (WdNativeException e) {
            if (iovas != null) {
                iovas.release(iova, bytes);
            }
            throw refused(
                    va,
                    bytes,
                    "VFIO_IOMMU_MAP_DMA refused it (a file mapping other than tmpfs, memfd or hugetlbfs cannot be"
                            + " pinned for DMA; read-only memory neither; ENOSPC: the container's dma_entry_limit;"
                            + " ENOMEM: the memlock limit): " + e.getMessage(),
                    e);
        }
        return new VfioChunk(segment, iova);
    }

    private long iovaFor(long va, long bytes) {
        if (iovas == null) {
            if (!info.usable(va, bytes)) {
                throw refused(
                        va,
                        bytes,
                        "it cannot be its own IOVA (wd.mm.vfio.iova.mode=va): it lies outside the usable IOVA ranges "
                                + info.ranges() + "; fix: wd.mm.vfio.iova.mode=allocated",
                        null);
            }
            return va;
        }
        long iova = iovas.allocate(bytes, bytes >= VfioChunks.CHUNK_SIZE ? VfioChunks.CHUNK_SIZE : IovaAllocator.PAGE);
        if (iova == -1) {
            throw refused(
                    va,
                    bytes,
                    "no free IOVA range of bytes=" + bytes + " in " + iovas.space() + " (free=" + iovas.freeBytes()
                            + "); unregister or free memory, or widen wd.mm.vfio.iova.base/limit",
                    null);
        }
        return iova;
    }

    private static WdRegistrationException refused(long va, long bytes, String why, Exception cause) {
        return new WdRegistrationException(
                va,
                WdRegistrationException.Reason.CANNOT_HOLD,
                "va=" + hex(va) + " size=" + bytes + " cannot be registered with this vfio bridge: " + why,
                cause);
    }

    @Override
    public void release(ChunkMemory held) {
        VfioChunk chunk = (VfioChunk) held;
        long bytes = chunk.segment().byteSize();
        long unmapped = kernel.unmap(chunk.iova(), bytes);
        if (unmapped != bytes) {
            throw new IllegalStateException("VFIO_IOMMU_UNMAP_DMA(iova=" + hex(chunk.iova()) + " size=" + bytes
                    + ") unmapped bytes=" + unmapped + ", not the registration's " + bytes);
        }
        if (iovas != null) {
            iovas.release(chunk.iova(), bytes);
        }
    }

    @Override
    public String holding() {
        return "one VFIO_IOMMU_MAP_DMA per registration (which pins its pages), unmapped on the last unregister";
    }

    @Override
    public void close() {
        // nothing beyond the registrations: the bridge closes the container after the allocator
    }
}
