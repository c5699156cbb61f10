package dev.wdmm.memory.table;

import static dev.wdmm.spi.WdArguments.hex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Page number ({@code va >>> pageShift}) to the object that owns the page, for O(1) ownership
 * lookups on a hot path: a radix table over 48-bit user addresses, whose lower tables are created
 * on first use and kept for the life of the directory (memory grows with the spread of the address
 * ranges ever set, about 16 KiB per {@code 4096 << pageShift} bytes of address space touched, never
 * with the number of lookups). Large pages ({@code pageShift >= 20}, e.g. 2 MiB huge pages) need
 * only two levels under a top table of at most 2^16 entries made up front; smaller ones three.
 *
 * <p><b>Thread-safety:</b> {@link #find} is lock-free, wait-free and allocates nothing; it may run
 * concurrently with writers and sees each page either before or after a write (acquire loads
 * paired with release stores). {@link #set} and {@link #clear} are serialized on the directory.
 * A reader racing a write of a range may see some of its pages updated and others not yet; the
 * owner of the directory orders its own publication (e.g. set before handing an allocation out,
 * clear before unmapping it).
 *
 * <p>Addresses at or above {@code 2^48} (and negative ones) are never held: {@link #find} returns
 * null for them and writes refuse them.
 *
 * @param <T> the owner type, e.g. an allocation record
 */
public final class PageDirectory<T> {
    /** Addresses the directory can hold are below {@code 2^VA_BITS}. */
    public static final int VA_BITS = 48;

    private static final int MAX_LEVEL_BITS = 12;
    /** Widest top table made up front (2^16 references); wider index spaces get a middle level. */
    private static final int MAX_TOP_BITS = 16;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private final int pageShift;
    private final int leafBits;
    private final long leafMask;
    /** Bits of the middle level; 0 when the top table holds the leaves directly. */
    private final int middleBits;

    private final long middleMask;
    /** Shift from a page index to its top-table slot. */
    private final int topShift;

    private final Object[] top;

    private PageDirectory(int pageShift) {
        this.pageShift = pageShift;
        int indexBits = VA_BITS - pageShift;
        this.leafBits = Math.min(MAX_LEVEL_BITS, indexBits);
        int upperBits = indexBits - leafBits;
        this.middleBits = upperBits <= MAX_TOP_BITS ? 0 : Math.min(MAX_LEVEL_BITS, upperBits);
        this.leafMask = (1L << leafBits) - 1;
        this.middleMask = (1L << middleBits) - 1;
        this.topShift = leafBits + middleBits;
        this.top = new Object[1 << (upperBits - middleBits)];
    }

    /**
     * An empty directory over pages of {@code 2^pageShift} bytes.
     *
     * @param pageShift log2 of the page size; 12 for 4 KiB pages, 21 for 2 MiB huge pages
     * @param <T> the owner type
     * @return the directory
     * @throws IllegalArgumentException unless {@code 12 <= pageShift <= 40}
     */
    public static <T> PageDirectory<T> create(int pageShift) {
        if (pageShift < 12 || pageShift > 40) {
            throw new IllegalArgumentException("pageShift=" + pageShift + " must be in [12, 40]");
        }
        return new PageDirectory<>(pageShift);
    }

    /**
     * log2 of the page size this directory indexes by.
     *
     * @return the page shift
     */
    public int pageShift() {
        return pageShift;
    }

    /**
     * The owner of the page containing {@code va}. O(1): two or three dependent array loads, no
     * lock, no allocation.
     *
     * @param va any address
     * @return the owner, or null if no owner is set for that page (or the address cannot be held)
     */
    @SuppressWarnings("unchecked")
    public T find(long va) {
        long index = va >>> pageShift;
        long slot = index >>> topShift;
        if (slot >= top.length) {
            return null; // at or above 2^48, or negative: the top table spans exactly the held range
        }
        Object[] table = (Object[]) SLOT.getAcquire(top, (int) slot);
        if (middleBits != 0 && table != null) {
            table = (Object[]) SLOT.getAcquire(table, (int) ((index >>> leafBits) & middleMask));
        }
        return table == null ? null : (T) SLOT.getAcquire(table, (int) (index & leafMask));
    }

    /**
     * Points every page overlapping {@code [va, va + length)} at {@code owner}, replacing what was
     * there.
     *
     * @param va start of the range
     * @param length bytes, {@code > 0}
     * @param owner the owner, not null
     * @throws IllegalArgumentException if the range is empty or not wholly below {@code 2^48};
     *     nothing is changed
     * @throws NullPointerException if {@code owner} is null
     */
    public void set(long va, long length, T owner) {
        if (owner == null) {
            throw new NullPointerException("owner is null");
        }
        write(va, length, owner);
    }

    /**
     * Removes the owner of every page overlapping {@code [va, va + length)}; later lookups there
     * return null. Tables stay allocated.
     *
     * @param va start of the range
     * @param length bytes, {@code > 0}
     * @throws IllegalArgumentException if the range is empty or not wholly below {@code 2^48};
     *     nothing is changed
     */
    public void clear(long va, long length) {
        write(va, length, null);
    }

    private synchronized void write(long va, long length, Object owner) {
        requireHeld(va, length);
        long first = va >>> pageShift;
        long last = (va + length - 1) >>> pageShift;
        for (long index = first; index <= last; index++) {
            Object[] leaf = leafFor(index, owner != null);
            if (leaf != null) {
                SLOT.setRelease(leaf, (int) (index & leafMask), owner);
            }
        }
    }

    /** The leaf table for a page index, created (and published) if {@code create}; else null when absent. */
    private Object[] leafFor(long index, boolean create) {
        Object[] parent = top;
        int slot = (int) (index >>> topShift);
        if (middleBits != 0) {
            Object[] middle = (Object[]) top[slot];
            if (middle == null) {
                if (!create) {
                    return null;
                }
                middle = new Object[1 << middleBits];
                SLOT.setRelease(top, slot, middle);
            }
            parent = middle;
            slot = (int) ((index >>> leafBits) & middleMask);
        }
        Object[] leaf = (Object[]) parent[slot];
        if (leaf == null && create) {
            leaf = new Object[1 << leafBits];
            SLOT.setRelease(parent, slot, leaf);
        }
        return leaf;
    }

    private static void requireHeld(long va, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " must be > 0");
        }
        if ((va >>> VA_BITS) != 0 || length > (1L << VA_BITS) - va) {
            throw new IllegalArgumentException(
                    "va=" + hex(va) + " length=" + length + " must lie below 2^" + VA_BITS + " (0x1000000000000)");
        }
    }

    @Override
    public String toString() {
        return "PageDirectory[pageShift=" + pageShift + "]";
    }
}
