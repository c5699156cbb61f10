package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A chunk of memory taken from the system by a wd-mm allocator. */
@Name(WdEvents.CHUNK_ACQUIRED)
@Label("Chunk Acquired")
@Category({"wd-mm", "Memory"})
@Description("A chunk of memory taken from the system by a wd-mm allocator.")
@StackTrace(false)
final class ChunkAcquiredEvent extends Event {
    @Label("Owner")
    String owner;

    @Label("Address")
    long address;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Requested")
    @Description("The allocation size that needed the chunk")
    @DataAmount
    long requested;
}
