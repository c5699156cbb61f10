package dev.wdmm.api;

/**
 * One physically (or IOVA-) contiguous piece of a reserved region: UADK's
 * {@code {va, dma, size}}. The device reaches byte {@code va + k} at {@code dma + k} for every
 * {@code 0 <= k < size}. Immutable and thread-safe.
 *
 * @param va virtual address of the first byte
 * @param dma device address of the first byte
 * @param size bytes, {@code > 0}
 */
public record WdSlice(long va, long dma, long size) {
    /**
     * Checks the slice.
     *
     * @throws IllegalArgumentException if {@code size <= 0} or {@code va + size} or
     *     {@code dma + size} wraps
     */
    public WdSlice {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        if (Long.compareUnsigned(va + size, va) < 0) {
            throw new IllegalArgumentException(
                    "va=0x" + Long.toHexString(va) + " size=" + size + " wraps the address space");
        }
        if (Long.compareUnsigned(dma + size, dma) < 0) {
            throw new IllegalArgumentException(
                    "dma=0x" + Long.toHexString(dma) + " size=" + size + " wraps the address space");
        }
    }

    /**
     * Whether {@code [address, address + length)} lies wholly inside this slice.
     *
     * @param address start of the range
     * @param length bytes, {@code > 0}
     * @return true if the whole range is inside
     */
    public boolean contains(long address, long length) {
        long offset = address - va;
        return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
    }
}
