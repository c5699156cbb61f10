/**
 * The VFIO backend of wd-mm: IOMMU-translated mode. Memory is ordinary pinned pages; each
 * {@code iovaMap} maps the range into the configured device's VFIO container at an IOVA from the
 * backend's allocator, and {@code iovaUnmap} or {@code free} unmaps it.
 */
module dev.wdmm.backend.vfio {
    // the exported provider and WdVfioBridge are wd-api types (SPI, WdMmBridge): their readers need wd-api
    requires transitive dev.wdmm.api;
    requires dev.wdmm.memory;

    exports dev.wdmm.backend.vfio;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.vfio.VfioBackendProvider;
}
