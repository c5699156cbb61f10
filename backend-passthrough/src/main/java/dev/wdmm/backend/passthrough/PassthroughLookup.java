package dev.wdmm.backend.passthrough;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.table.IovaIndex;
import java.lang.foreign.MemorySegment;

/**
 * IOVA → VA on the passthrough bridge: an {@link IovaIndex} of the reserved region's slices
 * (physically contiguous huge pages) gives the address; the bridge's size words say whether it is
 * inside a live allocation (a freed block, or one in checked mode's quarantine, is refused). O(1),
 * lock-free, no allocation on {@link #addressOf} unless it throws. Thread-safe.
 */
final class PassthroughLookup implements WdIovaLookup {
    private final PassthroughBridge bridge;
    private final MemorySegment region;
    private final IovaIndex index = new IovaIndex();

    PassthroughLookup(PassthroughBridge bridge, WdReservedMemory region) {
        this.bridge = bridge;
        this.region = region.segment();
        for (WdSlice slice : region.slices()) {
            index.add(new IovaIndex.Piece(slice.dma(), slice.va(), slice.size(), region));
        }
    }

    @Override
    public long addressOf(long iova) {
        bridge.checkOpen();
        IovaIndex.Piece piece = index.find(iova);
        if (piece == null) {
            throw new WdIovaException(
                    iova,
                    WdIovaException.Reason.FOREIGN,
                    "iova=" + hex(iova) + " is not a device address of this passthrough bridge's region (va="
                            + hex(region.address()) + " size=" + region.byteSize() + ")");
        }
        long va = piece.va() + (iova - piece.iova());
        if (bridge.liveStart(va) == BlockPool.NO_BLOCK) {
            throw new WdIovaException(
                    iova,
                    WdIovaException.Reason.FREED,
                    "iova=" + hex(iova) + " (va=" + hex(va)
                            + ") is in a block of this passthrough bridge that is not allocated: freed, or never"
                            + " handed out");
        }
        return va;
    }

    @Override
    public MemorySegment segmentOf(long iova, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        long va = addressOf(iova);
        IovaIndex.Piece piece = index.find(iova); // found: addressOf found it, and slices never change
        long room = Math.min(piece.iova() + piece.length() - iova, bridge.liveEnd(va) - va);
        if (Long.compareUnsigned(size, room) > 0) {
            throw new WdIovaException(
                    iova,
                    WdIovaException.Reason.OUT_OF_RANGE,
                    "iova=" + hex(iova) + " size=" + size + " runs past the end of its allocation or slice (va="
                            + hex(va) + ", " + room + " bytes from there)");
        }
        return region.asSlice(va - region.address(), size);
    }

    @Override
    public String toString() {
        return "WdIovaLookup[passthrough region va=" + hex(region.address()) + "]";
    }
}
