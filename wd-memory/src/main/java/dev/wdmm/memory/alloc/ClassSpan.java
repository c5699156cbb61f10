package dev.wdmm.memory.alloc;

import java.util.Arrays;

/**
 * One chunk carved into slots of one power-of-two size class, owned by one {@link Bin}. A bitmap
 * says which slots are allocated (for exact ownership checks); free slots are handed out from a
 * stack of freed slot numbers, then from a bump index over never-used slots. All mutation happens
 * under the owning bin's monitor; {@link #isAllocated} may be read without it (it is only a hint
 * for a caller racing with its own free).
 */
final class ClassSpan extends Span {
    private static final int INITIAL_STACK = 64;

    final Bin bin;
    final int slotShift;
    private final int slots;
    private final long[] allocated;
    /** The requested size of each allocated slot, so that maps stop where the allocation does. */
    private final int[] sizes;

    private int[] freeStack;
    private int freeTop;
    private int bump;
    private int live;
    /** Links in the bin's list of chunks with free slots; guarded by the bin. */
    ClassSpan prev;

    ClassSpan next;
    /** Set (under the bin's lock) when the chunk was given back to the source. */
    boolean released;

    private ClassSpan(ChunkMemory memory, Bin bin, int slotShift) {
        super(memory);
        this.bin = bin;
        this.slotShift = slotShift;
        this.slots = (int) (bytes >>> slotShift);
        this.allocated = new long[(slots + 63) >>> 6];
        this.sizes = new int[slots];
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

    /** Takes a free slot for {@code size} bytes; the caller checked {@link #isFull()} is false. Returns its address. */
    long take(long size) {
        int slot = freeTop > 0 ? freeStack[--freeTop] : bump++;
        allocated[slot >>> 6] |= 1L << slot;
        sizes[slot] = (int) size;
        live++;
        return base + ((long) slot << slotShift);
    }

    /** Returns the slot starting at {@code address}; the caller checked it is allocated. */
    void put(long address) {
        int slot = (int) ((address - base) >>> slotShift);
        allocated[slot >>> 6] &= ~(1L << slot);
        if (freeTop == freeStack.length) {
            freeStack = Arrays.copyOf(freeStack, Math.min(slots, freeStack.length * 2));
        }
        freeStack[freeTop++] = slot;
        live--;
    }

    /** Whether the slot containing {@code address} (inside this chunk) is allocated. */
    boolean isAllocated(long address) {
        int slot = (int) ((address - base) >>> slotShift);
        return (allocated[slot >>> 6] & (1L << slot)) != 0;
    }

    /** The start of the slot containing {@code address} (inside this chunk, which is aligned to the slot size). */
    long slotStart(long address) {
        return address & -(1L << slotShift);
    }

    /** The requested size of the (allocated) slot containing {@code address}. */
    long allocationSize(long address) {
        return sizes[(int) ((address - base) >>> slotShift)];
    }

    /** Slot size in bytes. */
    long slotSize() {
        return 1L << slotShift;
    }

    /** Whether no slot is free. */
    boolean isFull() {
        return live == slots;
    }

    /** Allocated slots. */
    int live() {
        return live;
    }
}
