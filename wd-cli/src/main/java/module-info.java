/**
 * The wd-mm command line ({@code ./wd-mm}). Backends are bound as services of
 * {@code dev.wdmm.core} from the module path; nothing here names one.
 */
module dev.wdmm.cli {
    requires dev.wdmm.core;
}
