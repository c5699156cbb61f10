/**
 * The VFIO backend of wd-mm: IOMMU-translated mode. Memory is ordinary pinned pages; each
 * {@code iovaMap} maps the range into the configured device's VFIO container at an IOVA from the
 * backend's allocator, and {@code iovaUnmap} or {@code free} unmaps it. Nothing is exported: the
 * device fd is reached through {@code WdMmBridge.unwrap(WdDeviceAccess.class)}.
 */
module dev.wdmm.backend.vfio {
    requires dev.wdmm.memory;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.vfio.VfioBackendProvider;
}
