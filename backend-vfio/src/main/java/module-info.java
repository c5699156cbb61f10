/**
 * The VFIO backend of wd-mm: IOMMU-translated mode. wd-memory's chunk allocator carves allocations
 * from 2 MiB chunks of anonymous memory, each mapped into the configured device's VFIO container by
 * one {@code VFIO_IOMMU_MAP_DMA} when acquired (IOVAs inside the kernel's usable ranges, or IOVA ==
 * VA) and unmapped when released; {@code iovaMap} is arithmetic. The VFIO ioctls are wd-memory's.
 * Nothing is exported: the device fd is reached through
 * {@code WdMmBridge.unwrap(WdDeviceAccess.class)}, the kernel mapping counters and usable IOVA
 * ranges through {@code unwrap(dev.wdmm.memory.nativeio.VfioMappings.class)}.
 */
module dev.wdmm.backend.vfio {
    requires dev.wdmm.memory;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.vfio.VfioBackendProvider;
}
