package dev.wdmm.spi;

import dev.wdmm.api.WdReservedMemory;

/**
 * Supplies queues' reserved DMA regions: physically (or IOVA-) contiguous slices with their
 * device addresses. Built in: a source backed by huge pages; a device's own region (UACCE,
 * VFIO) is a source a third party can add. Implementations must be thread-safe.
 */
public interface WdRegionSource {

    /**
     * Reserves a region of at least {@code size} bytes.
     *
     * @param size bytes, {@code > 0}
     * @return the region; its slices give every byte's device address
     * @throws IllegalArgumentException if {@code size <= 0}
     * @throws dev.wdmm.api.WdAllocationException if the memory cannot be had (message: counts and fix)
     */
    WdReservedMemory reserve(long size);

    /**
     * Returns a region obtained from {@link #reserve}. The caller must not touch it afterwards.
     *
     * @param region a region this source reserved and has not released
     * @throws IllegalArgumentException if the region is not a live one of this source
     */
    void release(WdReservedMemory region);
}
