package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** An allocation refused for want of memory: exhausted, or over the limit. */
@Name(WdEvents.ALLOCATION_FAILURE)
@Label("Allocation Failure")
@Category({"wd-mm", "Memory"})
@Description("An allocation refused for want of memory: exhausted, or over the limit.")
@StackTrace(false)
final class AllocationFailureEvent extends Event {
    @Label("Owner")
    String owner;

    @Label("Size")
    @DataAmount
    long size;

    @Label("Reason")
    @Description("exhausted, limit or pool")
    String reason;
}
