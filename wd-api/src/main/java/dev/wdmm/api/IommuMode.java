package dev.wdmm.api;

/**
 * How the device sees memory on this machine, which decides what an IOVA is.
 *
 * <p>Immutable and thread-safe.
 */
public enum IommuMode {
    /** Shared virtual addressing: the device walks the process's page tables; IOVA == address. */
    SVA,
    /** No IOMMU: the device sees physical addresses; DMA memory must be pinned and contiguous. */
    NO_IOMMU,
    /** IOMMU in identity (passthrough) mode: like {@link #NO_IOMMU} for the device. */
    PASSTHROUGH,
    /** IOMMU paging domain (VFIO or a device driver): IOVAs are what was mapped into the IOMMU. */
    TRANSLATED
}
