/** The passthrough backend of wd-mm. */
module dev.wdmm.backend.passthrough {
    requires dev.wdmm.core;
}
