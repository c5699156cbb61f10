package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.memory.table.IovaIndex;
import java.lang.foreign.MemorySegment;

/**
 * {@link WdIovaLookup} over a {@link StripedAllocator}: its {@link IovaIndex} gives the piece of a
 * chunk or registration holding an IOVA; the chunk's own record says whether the address is live.
 * O(1), lock-free, no allocation on {@link #addressOf} unless it throws. Thread-safe.
 */
final class AllocatorLookup implements WdIovaLookup {
    private final StripedAllocator allocator;

    AllocatorLookup(StripedAllocator allocator) {
        this.allocator = allocator;
    }

    /** Indexes a span's IOVA-contiguous pieces (one when the whole chunk is contiguous). */
    static void index(IovaIndex index, Span span) {
        if (span.iova != ChunkMemory.NOT_CONTIGUOUS) {
            index.add(new IovaIndex.Piece(span.iova, span.base, span.bytes, span));
            return;
        }
        long end = span.base + span.bytes;
        for (long va = span.base; va < end; ) {
            long length = span.memory.contiguousLength(va, end - va);
            index.add(new IovaIndex.Piece(span.memory.translate(va, length), va, length, span));
            va += length;
        }
    }

    /** Removes what {@link #index} added. */
    static void unindex(IovaIndex index, Span span) {
        if (span.iova != ChunkMemory.NOT_CONTIGUOUS) {
            index.remove(span, span.iova, span.bytes);
            return;
        }
        long end = span.base + span.bytes;
        for (long va = span.base; va < end; ) {
            long length = span.memory.contiguousLength(va, end - va);
            index.remove(span, span.memory.translate(va, length), length);
            va += length;
        }
    }

    @Override
    public long addressOf(long iova) {
        return live(iova, piece(iova));
    }

    @Override
    public MemorySegment segmentOf(long iova, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        IovaIndex.Piece piece = piece(iova);
        long va = live(iova, piece);
        long room = piece.iova() + piece.length() - iova;
        long end = piece.owner() instanceof ClassSpan page
                ? page.slotStart(va) + page.allocationSize(va)
                : piece.owner() instanceof RunSpan run ? run.base + run.size() : va + room;
        if (Long.compareUnsigned(size, Math.min(room, end - va)) > 0) {
            throw new WdIovaException(
                    iova,
                    WdIovaException.Reason.OUT_OF_RANGE,
                    "iova=" + hex(iova) + " size=" + size + " runs past the end of its "
                            + (room <= end - va ? "IOVA-contiguous piece" : "allocation") + " (va=" + hex(va) + ", "
                            + Math.min(room, end - va) + " bytes from there) in this " + allocator.owner());
        }
        MemorySegment memory = piece.owner() instanceof Span span
                ? span.segment
                : ((Registrations.Registration) piece.owner()).memory.segment();
        return memory.asSlice(va - memory.address(), size);
    }

    private IovaIndex.Piece piece(long iova) {
        allocator.ensureOpen("iovaToVa", iova);
        IovaIndex.Piece piece = allocator.iovaIndex.find(iova);
        if (piece == null) {
            throw new WdIovaException(
                    iova,
                    WdIovaException.Reason.FOREIGN,
                    "iova=" + hex(iova) + " is not a device address of memory of this " + allocator.owner()
                            + " (neither its chunks nor registered memory)");
        }
        return piece;
    }

    /** The address of {@code iova} in {@code piece}, if live (a live slot or run, or registered memory). */
    private long live(long iova, IovaIndex.Piece piece) {
        long va = piece.va() + (iova - piece.iova());
        // an instanceof chain, not a pattern switch: the switch's type test bootstrap costs more here
        Object owner = piece.owner();
        boolean live = owner instanceof ClassSpan page
                ? !page.released && page.allocationSize(va) != 0
                : !(owner instanceof RunSpan run) || !run.isFreed();
        if (!live) {
            throw new WdIovaException(
                    iova,
                    WdIovaException.Reason.FREED,
                    "iova=" + hex(iova) + " (va=" + hex(va) + ") is in memory of this " + allocator.owner()
                            + " that is not allocated: freed, or never handed out");
        }
        return va;
    }

    @Override
    public String toString() {
        return "WdIovaLookup[" + allocator.owner() + "]";
    }
}
