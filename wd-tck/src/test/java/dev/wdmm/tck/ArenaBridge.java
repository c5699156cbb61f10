package dev.wdmm.tck;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * A small, correct bridge for the kit's own tests: each allocation in a shared arena of its own,
 * every rule kept, the IOVA of an address given by a function. With the identity it is a correct
 * SVA-style bridge; with anything else its IOVAs are wrong but consistent (map, unmap and every
 * other rule agree with each other), which only an independent oracle can tell.
 */
final class ArenaBridge implements WdMmBridge {
    private record Allocation(long address, long size, Arena arena, MemorySegment segment) {}

    private final LongUnaryOperator iovaOf;
    private final int handOutTwiceEvery;
    private int allocations;
    private final TreeMap<Long, Allocation> live = new TreeMap<>();
    private final Set<Long> freed = new HashSet<>();
    private boolean closed;

    private ArenaBridge(LongUnaryOperator iovaOf, int handOutTwiceEvery) {
        this.iovaOf = iovaOf;
        this.handOutTwiceEvery = handOutTwiceEvery;
    }

    static ArenaBridge identity() {
        return new ArenaBridge(address -> address, 0);
    }

    /** A single-thread bookkeeping bug: every 50th allocation is a live one handed out again. */
    static ArenaBridge handingOutTwice() {
        return new ArenaBridge(address -> address, 50);
    }

    /** IOVA = address + 64 KiB: consistent everywhere, and wrong for a device sharing the page tables. */
    static ArenaBridge offByOffset() {
        return new ArenaBridge(address -> address + 0x1_0000, 0);
    }

    @Override
    public synchronized MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        checkOpen();
        if (size > 1L << 30) {
            throw new IllegalArgumentException("size=" + size + " must be <= 1 GiB");
        }
        if (handOutTwiceEvery > 0 && ++allocations % handOutTwiceEvery == 0 && !live.isEmpty()) {
            Allocation victim = live.lastEntry().getValue();
            if (victim.size() >= size) {
                return victim.segment().asSlice(0, size);
            }
        }
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(size, 64);
        live.put(segment.address(), new Allocation(segment.address(), size, arena, segment));
        freed.remove(segment.address());
        return segment;
    }

    @Override
    public synchronized void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        Allocation allocation = live.get(segment.address());
        if (allocation == null) {
            throw refusal("free", segment.address());
        }
        live.remove(segment.address());
        freed.add(segment.address());
        allocation.arena().close();
    }

    @Override
    public synchronized long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        containing(segment.address(), size);
        return iovaOf.applyAsLong(segment.address());
    }

    @Override
    public synchronized void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        containing(segment.address(), size);
        WdArguments.requireMatchingIova(segment.address(), size, iova, iovaOf.applyAsLong(segment.address()));
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            live.values().forEach(allocation -> allocation.arena().close());
            live.clear();
        }
    }

    private void containing(long address, long size) {
        Map.Entry<Long, Allocation> entry = live.floorEntry(address);
        if (entry == null || address - entry.getKey() >= entry.getValue().size()) {
            throw refusal("map", address);
        }
        if (size > entry.getValue().size() - (address - entry.getKey())) {
            throw new IllegalArgumentException("map va=" + WdArguments.hex(address) + " size=" + size
                    + " runs past the end of allocation va=" + WdArguments.hex(entry.getKey()));
        }
    }

    private WdOwnershipException refusal(String operation, long address) {
        Map.Entry<Long, Allocation> entry = live.floorEntry(address);
        if (entry != null && address - entry.getKey() < entry.getValue().size()) {
            return new WdOwnershipException(
                    address, Reason.INTERIOR, operation + " va=" + WdArguments.hex(address) + " is interior");
        }
        if (freed.contains(address)) {
            return new WdOwnershipException(
                    address, Reason.ALREADY_FREED, operation + " va=" + WdArguments.hex(address) + " already freed");
        }
        return new WdOwnershipException(
                address, Reason.FOREIGN, operation + " va=" + WdArguments.hex(address) + " is not allocated here");
    }

    private void checkOpen() {
        if (closed) {
            throw new WdClosedException("arena bridge is closed");
        }
    }
}
