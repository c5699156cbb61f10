package dev.wdmm.memory.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One VFIO_IOMMU_UNMAP_DMA call: a chunk unmapped from a VFIO container. */
@Name(WdEvents.VFIO_UNMAP)
@Label("VFIO Unmap")
@Category({"wd-mm", "Memory"})
@Description("One VFIO_IOMMU_UNMAP_DMA call: a chunk unmapped from a VFIO container.")
@StackTrace(false)
final class VfioUnmapEvent extends Event {
    @Label("Device")
    String device;

    @Label("IOVA")
    long iova;

    @Label("Bytes")
    @DataAmount
    long bytes;
}
