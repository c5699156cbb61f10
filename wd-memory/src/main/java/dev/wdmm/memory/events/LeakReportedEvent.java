package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Memory outstanding when a bridge was closed, or a bridge that became unreachable without close(). */
@Name(WdEvents.LEAK_REPORTED)
@Label("Leak Reported")
@Category({"wd-mm", "Memory"})
@Description("Memory outstanding when a bridge was closed, or a bridge that became unreachable without close().")
@StackTrace(false)
final class LeakReportedEvent extends Event {
    @Label("Owner")
    String owner;

    @Label("Kind")
    @Description("closed-with-outstanding or unreachable")
    String kind;

    @Label("Allocations")
    long allocations;

    @Label("Bytes")
    @DataAmount
    long bytes;
}
