package dev.wdmm.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** A periodic snapshot of an open facade's accounting (see {@link dev.wdmm.api.WdStats}). */
@Name(StatsEvents.BRIDGE_STATS)
@Label("Bridge Statistics")
@Category({"wd-mm", "Memory"})
@Description("The accounting of an open wd-mm facade's bridge, emitted periodically while a recording enables it.")
@StackTrace(false)
@Period("10 s")
final class BridgeStatsEvent extends Event {
    @Label("Backend")
    String backend;

    @Label("Owner")
    String owner;

    @Label("Live Allocations")
    long liveAllocations;

    @Label("Live Bytes")
    @DataAmount
    long liveBytes;

    @Label("Total Allocations")
    long totalAllocations;

    @Label("Allocation Failures")
    long allocationFailures;

    @Label("Held Bytes")
    @DataAmount
    long heldBytes;

    @Label("Peak Held Bytes")
    @DataAmount
    long peakHeldBytes;

    @Label("Device Mappings")
    long deviceMappings;
}
