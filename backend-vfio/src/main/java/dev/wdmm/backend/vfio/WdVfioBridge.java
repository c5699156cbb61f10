package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdMmBridge;
import java.util.List;

/**
 * The bridge of the VFIO backend. Besides memory and IOVAs it gives the device's driver what only
 * the owner of the VFIO group can give: the device's file descriptor (regions, config space, IRQs),
 * since a group can be opened once; and it reports its DMA mappings (how many kernel calls it made,
 * the usable IOVA ranges). Thread-safe like every bridge.
 */
public interface WdVfioBridge extends WdMmBridge {

    /**
     * The PCI address of the device this bridge maps memory for.
     *
     * @return the BDF, e.g. {@code 0000:00:03.0}
     */
    String device();

    /**
     * The VFIO device file descriptor, owned by the bridge and closed by {@link #close()}.
     *
     * @return the fd
     * @throws dev.wdmm.api.WdClosedException after close
     */
    int deviceFd();

    /**
     * The IOVA ranges the kernel lets this container map, as it reported them when the bridge was
     * opened ({@code VFIO_IOMMU_GET_INFO}), e.g. {@code [0x0, 0xfedfffff]}; empty when the kernel
     * reports none. Also after close.
     *
     * @return the ranges, both ends inclusive, ascending
     */
    List<String> iovaRanges();

    /**
     * The bridge's DMA mappings so far; also after close (then every mapping is gone).
     *
     * @return a snapshot of the counters
     */
    DmaStatistics dmaStatistics();

    /**
     * What a VFIO bridge did in the kernel. The bridge maps memory once per chunk it acquires
     * (2 MiB, or a larger allocation's own chunk), not per {@code iovaMap}: {@code mapIoctls}
     * never exceeds the chunks it tried to acquire. Immutable.
     *
     * @param iovaMode {@code allocated} or {@code va} ({@code wd.mm.vfio.iova.mode})
     * @param mapIoctls {@code VFIO_IOMMU_MAP_DMA} calls made (one per chunk acquired, failed ones included)
     * @param unmapIoctls {@code VFIO_IOMMU_UNMAP_DMA} calls made (one per chunk released)
     * @param chunksAcquired chunks mapped
     * @param chunksReleased chunks unmapped again
     * @param kernelMappings mappings the container holds for this bridge now
     * @param adjacentChunks chunks whose IOVAs continue those of a live chunk next to them in
     *     virtual addresses (one IOVA-contiguous range across both)
     * @param dmaAvailableAtOpen the container's {@code dma_avail} when the bridge was opened, -1 if
     *     the kernel does not report it
     */
    record DmaStatistics(
            String iovaMode,
            long mapIoctls,
            long unmapIoctls,
            long chunksAcquired,
            long chunksReleased,
            long kernelMappings,
            long adjacentChunks,
            long dmaAvailableAtOpen) {
        /**
         * {@code iova-mode=allocated map-ioctls=3 unmap-ioctls=3 chunks-acquired=3 ...}.
         *
         * @return one line of {@code key=value} pairs
         */
        @Override
        public String toString() {
            return "iova-mode=" + iovaMode + " map-ioctls=" + mapIoctls + " unmap-ioctls=" + unmapIoctls
                    + " chunks-acquired=" + chunksAcquired + " chunks-released=" + chunksReleased
                    + " kernel-mappings=" + kernelMappings + " adjacent-chunks=" + adjacentChunks
                    + " dma-avail-at-open=" + dmaAvailableAtOpen;
        }
    }
}
