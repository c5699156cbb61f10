package dev.wdmm.core.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The backend selection's outcome, once per selection (an open, or a doctor run). */
@Name(StatsEvents.BACKEND_SELECTED)
@Label("Backend Selected")
@Category({"wd-mm", "Selection"})
@Description("Which wd-mm backend was selected (or none), in which IOMMU mode, and why.")
@StackTrace(false)
final class BackendSelectedEvent extends Event {
    @Label("Backend")
    @Description("The selected backend, or none")
    String backend;

    @Label("Mode")
    String mode;

    @Label("Configured By")
    String configuredBy;

    @Label("Reason")
    String reason;
}
