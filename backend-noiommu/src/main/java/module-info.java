/** The noiommu backend of wd-mm. */
module dev.wdmm.backend.noiommu {
    requires dev.wdmm.core;
}
