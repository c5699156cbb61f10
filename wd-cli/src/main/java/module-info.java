/**
 * The wd-mm command line ({@code ./wd-mm}). Backends are bound as services of
 * {@code dev.wdmm.core} from the module path; nothing here names one. The JSON report is written
 * by Jackson, which reads the report records reflectively.
 */
module dev.wdmm.cli {
    requires dev.wdmm.core;
    requires dev.wdmm.memory;
    requires com.fasterxml.jackson.databind;

    opens dev.wdmm.cli to
            com.fasterxml.jackson.databind;
}
