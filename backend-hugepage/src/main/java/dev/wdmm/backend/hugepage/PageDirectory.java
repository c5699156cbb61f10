package dev.wdmm.backend.hugepage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Huge page index ({@code va >>> log2(hugePageSize)}) to the {@link Chunk} that owns the page:
 * a two-level array over 48-bit user addresses, leaves of {@value #LEAF_SIZE} entries created on
 * first use and kept. Reads are lock-free and allocation-free (acquire loads); writes are
 * serialized on the directory and published with release stores.
 */
final class PageDirectory {
    private static final int VA_BITS = 48;
    private static final int LEAF_BITS = 9;
    private static final int LEAF_SIZE = 1 << LEAF_BITS;
    private static final VarHandle LEAVES = MethodHandles.arrayElementVarHandle(Chunk[][].class);
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(Chunk[].class);

    private final int pageShift;
    private final Chunk[][] leaves;

    private PageDirectory(int pageShift) {
        this.pageShift = pageShift;
        this.leaves = new Chunk[1 << Math.max(0, VA_BITS - pageShift - LEAF_BITS)][];
    }

    /**
     * An empty directory for huge pages of {@code 2^pageShift} bytes.
     *
     * @param pageShift log2 of the huge page size, 21 or 30 typically
     * @return the directory
     */
    static PageDirectory create(int pageShift) {
        return new PageDirectory(pageShift);
    }

    /**
     * The chunk owning the huge page that contains {@code va}. Lock-free, O(1).
     *
     * @param va any address
     * @return the chunk, or null if none of ours holds the address
     */
    Chunk find(long va) {
        long index = va >>> pageShift;
        long top = index >>> LEAF_BITS;
        if (top >= leaves.length) {
            return null;
        }
        Chunk[] leaf = (Chunk[]) LEAVES.getAcquire(leaves, (int) top);
        return leaf == null ? null : (Chunk) ENTRIES.getAcquire(leaf, (int) (index & (LEAF_SIZE - 1)));
    }

    /**
     * Points every huge page of {@code chunk} at it ({@code owner}) or at nothing (null).
     *
     * @param chunk the chunk whose pages are set
     * @param owner the chunk itself, or null to clear
     */
    synchronized void set(Chunk chunk, Chunk owner) {
        long first = chunk.base() >>> pageShift;
        for (long index = first; index < first + chunk.pages(); index++) {
            int top = (int) (index >>> LEAF_BITS);
            Chunk[] leaf = leaves[top];
            if (leaf == null) {
                leaf = new Chunk[LEAF_SIZE];
                LEAVES.setRelease(leaves, top, leaf);
            }
            ENTRIES.setRelease(leaf, (int) (index & (LEAF_SIZE - 1)), owner);
        }
    }

    /**
     * Whether {@code va} can be held at all (below {@code 2^48}); higher addresses are never ours.
     *
     * @param va an address
     * @return true if a chunk could hold it
     */
    static boolean inRange(long va) {
        return (va >>> VA_BITS) == 0;
    }
}
