package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A chunk of memory given back to the system by a wd-mm allocator. */
@Name(WdEvents.CHUNK_RELEASED)
@Label("Chunk Released")
@Category({"wd-mm", "Memory"})
@Description("A chunk of memory given back to the system by a wd-mm allocator.")
@StackTrace(false)
final class ChunkReleasedEvent extends Event {
    @Label("Owner")
    String owner;

    @Label("Address")
    long address;

    @Label("Bytes")
    @DataAmount
    long bytes;
}
