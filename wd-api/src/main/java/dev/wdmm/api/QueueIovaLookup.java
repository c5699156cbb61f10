package dev.wdmm.api;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;

/**
 * {@link WdIovaLookup#of(WdQueue)}: the reserved memory's slices first (a linear scan of the slice
 * table, as UADK v1's {@code wd_dma_to_va} walks it), then the bridge's lookup. Thread-safe: holds
 * no state of its own.
 */
final class QueueIovaLookup implements WdIovaLookup {
    private final WdQueue queue;

    QueueIovaLookup(WdQueue queue) {
        this.queue = queue;
    }

    @Override
    public long addressOf(long iova) {
        Optional<WdReservedMemory> reserved = queue.reservedMemory();
        if (reserved.isPresent()) {
            for (WdSlice slice : reserved.get().slices()) {
                if (Long.compareUnsigned(iova - slice.dma(), slice.size()) < 0) {
                    return slice.va() + (iova - slice.dma());
                }
            }
        }
        return bridgeLookup(iova).addressOf(iova);
    }

    @Override
    public MemorySegment segmentOf(long iova, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        Optional<WdReservedMemory> reserved = queue.reservedMemory();
        if (reserved.isPresent()) {
            MemorySegment region = reserved.get().segment();
            List<WdSlice> slices = reserved.get().slices();
            for (WdSlice slice : slices) {
                long offset = iova - slice.dma();
                if (Long.compareUnsigned(offset, slice.size()) < 0) {
                    if (Long.compareUnsigned(size, slice.size() - offset) > 0) {
                        throw new WdIovaException(
                                iova,
                                WdIovaException.Reason.OUT_OF_RANGE,
                                "iova=0x" + Long.toHexString(iova) + " size=" + size
                                        + " runs past the end of its slice of the queue's reserved memory (dma=0x"
                                        + Long.toHexString(slice.dma()) + " size=" + slice.size() + ")");
                    }
                    return region.asSlice(slice.va() + offset - region.address(), size);
                }
            }
        }
        return bridgeLookup(iova).segmentOf(iova, size);
    }

    private WdIovaLookup bridgeLookup(long iova) {
        return queue.bridge()
                .unwrap(WdIovaLookup.class)
                .orElseThrow(() -> new WdIovaException(
                        iova,
                        WdIovaException.Reason.FOREIGN,
                        "iova=0x" + Long.toHexString(iova) + " is not in this queue's reserved memory, and its bridge "
                                + queue.bridge().getClass().getSimpleName()
                                + " offers no WdIovaLookup to look further"));
    }

    @Override
    public String toString() {
        return "WdIovaLookup[" + queue + "]";
    }
}
