package dev.wdmm.backend.vfio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.nativeio.VfioIommuInfo;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules the kernel's type1 v2 IOMMU applies to {@code VFIO_IOMMU_MAP_DMA} and
 * {@code VFIO_IOMMU_UNMAP_DMA}, for tests on a host without an IOMMU: no overlapping IOVAs
 * (EEXIST), only inside the usable ranges (EINVAL), at most {@code limit} mappings (ENOSPC), an
 * unmap must cover whole mappings (EINVAL when it would split one). It pins nothing and moves no
 * data: the rig's vIOMMU guest proves the real kernel path by DMA.
 */
final class Type1Rules implements DmaMapper {
    private final VfioIommuInfo info;
    private final int limit;
    /** Live mappings: iova to {vaddr, size}. */
    private final TreeMap<Long, long[]> mappings = new TreeMap<>();

    int maps;
    int unmaps;

    Type1Rules(VfioIommuInfo info, int limit) {
        this.info = info;
        this.limit = limit;
    }

    @Override
    public synchronized void map(long vaddr, long iova, long size) {
        maps++;
        String call = "VFIO_IOMMU_MAP_DMA(vaddr=" + hex(vaddr) + " iova=" + hex(iova) + " size=" + size + ")";
        if (!info.usable(iova, size)) {
            throw new WdNativeException(call, 22, call + " outside the usable ranges");
        }
        Map.Entry<Long, long[]> below = mappings.floorEntry(iova + size - 1);
        if (below != null && below.getKey() + below.getValue()[1] > iova) {
            throw new WdNativeException(call, 17, call + " overlaps iova=" + hex(below.getKey()));
        }
        if (mappings.size() >= limit) {
            throw new WdNativeException(call, 28, call + " failed: errno=28 (ENOSPC); fix: dma_entry_limit");
        }
        mappings.put(iova, new long[] {vaddr, size});
    }

    @Override
    public synchronized long unmap(long iova, long size) {
        unmaps++;
        long[] mapping = mappings.get(iova);
        if (mapping == null || mapping[1] != size) {
            throw new WdNativeException(
                    "VFIO_IOMMU_UNMAP_DMA",
                    22,
                    "iova=" + hex(iova) + " size=" + size + " does not cover whole mappings");
        }
        mappings.remove(iova);
        return size;
    }

    synchronized int live() {
        return mappings.size();
    }

    /**
     * The IOVA this stand-in kernel maps the byte at {@code vaddr} to: the IOVA oracle of the bridge
     * contract, kept by the "kernel", not by the bridge.
     */
    synchronized long iovaOf(long vaddr) {
        for (Map.Entry<Long, long[]> mapping : mappings.entrySet()) {
            long offset = vaddr - mapping.getValue()[0];
            if (offset >= 0 && offset < mapping.getValue()[1]) {
                return mapping.getKey() + offset;
            }
        }
        throw new AssertionError("va=" + hex(vaddr) + " is in no VFIO_IOMMU_MAP_DMA mapping");
    }

    /** The vaddr of the mapping at exactly {@code iova}, or -1. */
    synchronized long vaddrAt(long iova) {
        long[] mapping = mappings.get(iova);
        return mapping == null ? -1 : mapping[0];
    }
}
