package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One chunk carved into slots of one power-of-two size class, owned by one {@link Bin}.
 *
 * <p>One dense record per slot, {@code record[slot]}: the requested size of the live allocation
 * there, or 0 when the slot is free (in the chunk or in a thread's cache). An ownership check or
 * a map reads that one {@code int}, found by {@code (address - base) >>> slotShift}. A slot goes
 * live with a release store by the one thread that took it ({@link #claim}) and dies with a
 * compare-and-set ({@link #unclaim}), so of two racing frees exactly one wins.
 *
 * <p>Slots not taken by any cache are handed out from a stack of returned slot numbers, then
 * from a bump index over never-used slots; {@link #take}, {@link #put} and the list links are
 * guarded by the owning bin's monitor. {@code live} counts taken slots (live allocations plus
 * slots sitting in thread caches): a chunk is empty, and may be given back, only at 0.
 */
final class ClassSpan extends Span {
    private static final int INITIAL_STACK = 64;
    private static final VarHandle RECORD = MethodHandles.arrayElementVarHandle(int[].class);

    final Bin bin;
    final int slotShift;
    private final int slots;
    /** Requested size of each live slot, 0 for a free one. */
    private final int[] record;
    /** Outstanding maps of each live slot ({@link MapRecords}); reset when the slot goes live. */
    private final long[] maps;

    private int[] freeStack;
    private int freeTop;
    private int bump;
    private int live;
    /** Links in the bin's list of chunks with free slots; guarded by the bin. */
    ClassSpan prev;

    ClassSpan next;
    /** Set (under the bin's lock) when the chunk was given back to the source. */
    volatile boolean released;

    private ClassSpan(ChunkMemory memory, Bin bin, int slotShift) {
        super(memory);
        this.bin = bin;
        this.slotShift = slotShift;
        this.slots = (int) (bytes >>> slotShift);
        this.record = new int[slots];
        this.maps = new long[slots];
        this.freeStack = new int[Math.min(INITIAL_STACK, slots)];
    }

    /**
     * A chunk with every slot free.
     *
     * @param memory one chunk of {@link ChunkSource#chunkSize()} bytes
     * @param bin the owner
     * @param slotShift log2 of the slot size
     * @return the span
     */
    static ClassSpan of(ChunkMemory memory, Bin bin, int slotShift) {
        return new ClassSpan(memory, bin, slotShift);
    }

    /** Takes a free slot (under the bin's lock); the caller checked {@link #isFull()} is false. Returns its address. */
    long take() {
        int slot = freeTop > 0 ? freeStack[--freeTop] : bump++;
        live++;
        return base + ((long) slot << slotShift);
    }

    /** Returns a taken, not live slot to the chunk (under the bin's lock). */
    void put(long address) {
        int slot = slot(address);
        if (freeTop == freeStack.length) {
            freeStack = Arrays.copyOf(freeStack, Math.min(slots, freeStack.length * 2));
        }
        freeStack[freeTop++] = slot;
        live--;
    }

    /** Makes the taken slot at {@code address} live with {@code size} bytes; only its taker calls this. */
    void claim(long address, long size) {
        int slot = slot(address);
        maps[slot] = 0; // published by the release store below
        RECORD.setRelease(record, slot, (int) size);
    }

    /**
     * Makes the live slot starting at {@code address} free.
     *
     * @return the requested size it had, or 0 if it was not live (never allocated, already freed,
     *     or a racing free won)
     */
    int unclaim(long address) {
        int slot = slot(address);
        int size = (int) RECORD.getAcquire(record, slot);
        return size != 0 && RECORD.compareAndSet(record, slot, size, 0) ? size : 0;
    }

    /** The requested size of the slot containing {@code address} (inside this chunk), 0 if it is free. */
    long allocationSize(long address) {
        return (int) RECORD.getAcquire(record, slot(address));
    }

    /** Whether the slot containing {@code address} (inside this chunk) is live. */
    boolean isAllocated(long address) {
        return allocationSize(address) != 0;
    }

    @Override
    int mapIndex(long start) {
        return slot(start);
    }

    @Override
    long[] maps() {
        return maps;
    }

    private int slot(long address) {
        return (int) ((address - base) >>> slotShift);
    }

    /** The start of the slot containing {@code address} (inside this chunk, which is aligned to the slot size). */
    long slotStart(long address) {
        return address & -(1L << slotShift);
    }

    /** Slot size in bytes. */
    long slotSize() {
        return 1L << slotShift;
    }

    /** Whether no slot is free in the chunk (slots in caches count as taken). */
    boolean isFull() {
        return live == slots;
    }

    /** Taken slots (live or cached). */
    int live() {
        return live;
    }

    /** Why a free of {@code address} (inside this chunk) was refused; {@code owner} names the allocator. */
    WdOwnershipException freeRefused(long address, String owner) {
        long start = slotStart(address);
        if (released) {
            // the slot was free when its chunk went back (a racing free won, or it was never allocated)
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(address) + " is not a live allocation of this " + owner
                            + " (its chunk was given back: already freed or never allocated)");
        }
        long size = allocationSize(address);
        if (size == 0 || start == address) {
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(address) + " is not a live allocation of this " + owner + " (slot va=" + hex(start)
                            + " size=" + slotSize() + " is free: already freed or never allocated)");
        }
        return new WdOwnershipException(
                address,
                WdOwnershipException.Reason.INTERIOR,
                "va=" + hex(address)
                        + " is interior to allocation va=" + hex(start) + " size=" + size
                        + " (offset=" + (address - start) + ") of this " + owner + "; free takes the start address");
    }
}
