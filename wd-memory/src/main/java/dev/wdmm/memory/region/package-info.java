/**
 * Region sources: where a queue's reserved DMA memory ({@link dev.wdmm.api.WdReservedMemory})
 * comes from.
 *
 * <p>Built in is {@link dev.wdmm.memory.region.RegionSources#hugepages()}: one locked mapping of
 * 2 MiB huge pages whose slices are the runs of physically adjacent huge pages, with physical
 * addresses as DMA addresses (correct without an IOMMU or with the IOMMU in passthrough).
 *
 * <p><b>Third-party sources.</b> A device's own memory, such as a UACCE queue's
 * {@code mmap}-able DUS/SS region or a VFIO container's DMA-mapped buffer, is a source a third
 * party adds by implementing {@link dev.wdmm.spi.WdRegionSource} in its backend and returning it
 * from {@link dev.wdmm.spi.WdBackendProvider#regionSource}. Such a source reports the device's
 * IOVAs as slice DMA addresses (which also serves {@code TRANSLATED} mode), tiles the region with
 * its slices in address order, and refuses to release a region it did not hand out.
 */
package dev.wdmm.memory.region;
