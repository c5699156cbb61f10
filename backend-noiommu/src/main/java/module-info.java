/**
 * The noiommu backend of wd-mm: pinned page-backed memory whose IOVA is its physical address.
 * Needs native access ({@code --enable-native-access=dev.wdmm.memory}) for the calls it makes
 * through wd-memory.
 */
module dev.wdmm.backend.noiommu {
    requires dev.wdmm.memory;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.noiommu.NoIommuBackendProvider;
}
