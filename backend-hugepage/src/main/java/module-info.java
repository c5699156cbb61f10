/** The hugepage backend of wd-mm. */
module dev.wdmm.backend.hugepage {
    requires dev.wdmm.core;
}
