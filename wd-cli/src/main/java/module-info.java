/** The wd-mm command line. */
module dev.wdmm.cli {
    requires dev.wdmm.core;
}
