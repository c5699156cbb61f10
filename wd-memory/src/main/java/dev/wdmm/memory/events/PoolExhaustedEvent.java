package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A block pool had no free block (or run of blocks) for an allocation. */
@Name(WdEvents.POOL_EXHAUSTED)
@Label("Pool Exhausted")
@Category({"wd-mm", "Memory"})
@Description("A block pool had no free block (or run of blocks) for an allocation.")
@StackTrace(false)
final class PoolExhaustedEvent extends Event {
    @Label("Owner")
    String owner;

    @Label("Block Size")
    @DataAmount
    long blockSize;

    @Label("Blocks")
    long blocks;

    @Label("Blocks Needed")
    long needed;
}
