package dev.wdmm.backend.vfio;

/**
 * The two kernel calls a {@link VfioChunks} makes per chunk: {@code VFIO_IOMMU_MAP_DMA} and
 * {@code VFIO_IOMMU_UNMAP_DMA} on one container. Thread-safe.
 */
interface DmaMapper {
    /**
     * Maps {@code [vaddr, vaddr + size)} at {@code iova}, read and write.
     *
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses
     */
    void map(long vaddr, long iova, long size);

    /**
     * Unmaps the mapping at {@code [iova, iova + size)}.
     *
     * @return the bytes the kernel unmapped
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses
     */
    long unmap(long iova, long size);
}
