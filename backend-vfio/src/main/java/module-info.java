/**
 * The VFIO backend of wd-mm: IOMMU-translated mode. wd-memory's chunk allocator carves allocations
 * from 2 MiB chunks of anonymous memory, each mapped into the configured device's VFIO container by
 * one {@code VFIO_IOMMU_MAP_DMA} when acquired (IOVAs inside the kernel's usable ranges, or IOVA ==
 * VA) and unmapped when released; {@code iovaMap} is arithmetic. The VFIO ioctls are wd-memory's.
 */
module dev.wdmm.backend.vfio {
    // the exported provider and WdVfioBridge are wd-api types (SPI, WdMmBridge): their readers need wd-api
    requires transitive dev.wdmm.api;
    requires dev.wdmm.memory;

    exports dev.wdmm.backend.vfio;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.vfio.VfioBackendProvider;
}
