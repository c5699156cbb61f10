package dev.wdmm.memory.nativeio;

/**
 * A bridge capability of bridges that map memory into a VFIO container ({@link Vfio}): what they
 * did in the kernel and what the kernel said about the container. Obtain it with
 * {@code bridge.unwrap(VfioMappings.class)}. The wd-mm VFIO bridge maps memory once per chunk it
 * acquires (2 MiB, or a large allocation's own chunk), not per {@code iovaMap}.
 *
 * <p><b>Thread-safety:</b> may be called from many threads at once, also after the bridge is
 * closed (then every mapping is gone and the counters are final).
 */
public interface VfioMappings {

    /**
     * The container's IOMMU as the kernel reported it when the bridge opened it: usable IOVA
     * ranges, {@code dma_avail} at that moment, page sizes.
     *
     * @return the info
     */
    VfioIommuInfo iommuInfo();

    /**
     * The bridge's kernel calls and mappings so far.
     *
     * @return a snapshot of the counters
     */
    Statistics statistics();

    /**
     * What a VFIO bridge did in the kernel. Immutable.
     *
     * @param iovaMode how chunks get their IOVA, e.g. {@code allocated} or {@code va}
     * @param mapIoctls {@code VFIO_IOMMU_MAP_DMA} calls made, failed ones included
     * @param unmapIoctls {@code VFIO_IOMMU_UNMAP_DMA} calls made
     * @param chunksAcquired chunks mapped into the container
     * @param chunksReleased chunks unmapped again
     * @param kernelMappings mappings the container holds for the bridge now
     * @param adjacentChunks chunks whose IOVAs continue those of a live chunk next to them in
     *     virtual addresses (one IOVA-contiguous range across both)
     */
    record Statistics(
            String iovaMode,
            long mapIoctls,
            long unmapIoctls,
            long chunksAcquired,
            long chunksReleased,
            long kernelMappings,
            long adjacentChunks) {
        /**
         * {@code iova-mode=allocated map-ioctls=3 unmap-ioctls=0 chunks-acquired=3 ...}.
         *
         * @return one line of {@code key=value} pairs
         */
        @Override
        public String toString() {
            return "iova-mode=" + iovaMode + " map-ioctls=" + mapIoctls + " unmap-ioctls=" + unmapIoctls
                    + " chunks-acquired=" + chunksAcquired + " chunks-released=" + chunksReleased
                    + " kernel-mappings=" + kernelMappings + " adjacent-chunks=" + adjacentChunks;
        }
    }
}
