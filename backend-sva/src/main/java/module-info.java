/** The sva backend of wd-mm. */
module dev.wdmm.backend.sva {
    requires dev.wdmm.core;
}
