package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One VFIO_IOMMU_MAP_DMA call: a chunk mapped into a VFIO container. */
@Name(WdEvents.VFIO_MAP)
@Label("VFIO Map")
@Category({"wd-mm", "Memory"})
@Description("One VFIO_IOMMU_MAP_DMA call: a chunk mapped into a VFIO container.")
@StackTrace(false)
final class VfioMapEvent extends Event {
    @Label("Device")
    String device;

    @Label("Address")
    long address;

    @Label("IOVA")
    long iova;

    @Label("Bytes")
    @DataAmount
    long bytes;
}
