package dev.wdmm.backend.vfio;

import dev.wdmm.memory.nativeio.VfioIommuInfo;

/**
 * What a {@link VfioBridge} needs of its VFIO container: the two DMA ioctls, what the kernel said
 * about the IOMMU when the container was opened, the device's name and fd, and close. Thread-safe.
 */
interface Container extends DmaMapper, AutoCloseable {
    /** The PCI address of the device. */
    String device();

    /** The VFIO device fd, owned by the container. */
    int deviceFd();

    /** The usable IOVA ranges and {@code dma_avail} read when the container was opened. */
    VfioIommuInfo info();

    /** Closes the device, group and container fds. */
    @Override
    void close();
}
