package dev.wdmm.memory.table;

import static dev.wdmm.spi.WdArguments.hex;

import java.util.Arrays;
import java.util.Objects;

/**
 * IOVA to virtual address, the reverse of a bridge's map (UADK v1's {@code wd_dma_to_va}, DPDK's
 * {@code rte_mem_iova2virt}): an index of IOVA-contiguous {@linkplain Piece pieces}, each an IOVA
 * range, the virtual address behind its first byte and the owner (an allocator's chunk, a
 * registration). A {@link PageDirectory} indexed by 2 MiB IOVA frame holds, per frame, the sorted
 * pieces that overlap it: one for memory whose IOVAs run contiguously over 2 MiB (huge pages, VFIO
 * chunks, SVA), up to 512 for scattered 4 KiB frames (noiommu). {@link #find} is O(1) (a directory
 * lookup, then a search among the pieces of one frame), lock-free and allocates nothing.
 *
 * <p>IOVAs at or above {@code 2^48} are not indexed ({@link #add} returns false for them; lookups
 * there return null).
 *
 * <p><b>Thread-safety:</b> {@link #find} may run concurrently with {@link #add} and
 * {@link #remove}, which are serialized on the index; a frame's bucket is replaced whole, so a
 * reader sees each piece either before or after a write.
 */
public final class IovaIndex {
    /** log2 of the IOVA frame a bucket covers. */
    static final int FRAME_SHIFT = 21;

    private static final Bucket EMPTY = new Bucket(new long[0], new Piece[0]);

    private final PageDirectory<Bucket> frames = PageDirectory.create(FRAME_SHIFT);

    /** The pieces overlapping one frame, sorted by IOVA, with their first IOVAs in a dense array for the search. */
    private record Bucket(long[] starts, Piece[] pieces) {
        static Bucket of(Piece[] pieces) {
            long[] starts = new long[pieces.length];
            for (int i = 0; i < pieces.length; i++) {
                starts[i] = pieces[i].iova();
            }
            return new Bucket(starts, pieces);
        }
    }

    /**
     * One IOVA-contiguous range and the virtual addresses behind it.
     *
     * @param iova the IOVA of the first byte
     * @param va the virtual address of the first byte
     * @param length bytes, {@code > 0}
     * @param owner what the range belongs to (compared by identity on {@link #remove})
     */
    public record Piece(long iova, long va, long length, Object owner) {
        /**
         * Checks the piece.
         *
         * @throws NullPointerException if {@code owner} is null
         * @throws IllegalArgumentException if {@code length <= 0}
         */
        public Piece {
            Objects.requireNonNull(owner, "owner is null");
            if (length <= 0) {
                throw new IllegalArgumentException("length=" + length + " must be > 0");
            }
        }

        /**
         * Whether the piece holds {@code iova}.
         *
         * @param address an IOVA
         * @return true if {@code iova <= address < iova + length}
         */
        public boolean holds(long address) {
            return Long.compareUnsigned(address - iova, length) < 0;
        }
    }

    /** An empty index. */
    public IovaIndex() {}

    /**
     * Indexes a piece. The caller guarantees that its IOVAs overlap no piece already indexed.
     *
     * @param piece the piece
     * @return false (and nothing indexed) if the piece reaches {@code 2^48} or beyond
     * @throws NullPointerException if {@code piece} is null
     */
    public synchronized boolean add(Piece piece) {
        Objects.requireNonNull(piece, "piece is null");
        long end = piece.iova() + piece.length();
        if ((piece.iova() >>> PageDirectory.VA_BITS) != 0
                || Long.compareUnsigned(end, 1L << PageDirectory.VA_BITS) > 0) {
            return false;
        }
        for (long frame = piece.iova() >>> FRAME_SHIFT; frame <= (end - 1) >>> FRAME_SHIFT; frame++) {
            Piece[] old = bucket(frame).pieces();
            Piece[] now = Arrays.copyOf(old, old.length + 1);
            int at = old.length;
            while (at > 0 && Long.compareUnsigned(now[at - 1].iova(), piece.iova()) > 0) {
                now[at] = now[at - 1];
                at--;
            }
            now[at] = piece;
            frames.set(frame << FRAME_SHIFT, 1, Bucket.of(now));
        }
        return true;
    }

    /**
     * Removes every piece of {@code owner} overlapping {@code [iova, iova + length)}.
     *
     * @param owner the owner, compared by identity
     * @param iova the start of the range its pieces lie in
     * @param length bytes, {@code > 0}
     */
    public synchronized void remove(Object owner, long iova, long length) {
        long end = iova + length;
        if ((iova >>> PageDirectory.VA_BITS) != 0 || length <= 0) {
            return;
        }
        long last = Math.min(end - 1, (1L << PageDirectory.VA_BITS) - 1) >>> FRAME_SHIFT;
        for (long frame = iova >>> FRAME_SHIFT; frame <= last; frame++) {
            Piece[] old = bucket(frame).pieces();
            int kept = 0;
            Piece[] now = new Piece[old.length];
            for (Piece p : old) {
                if (p.owner() != owner) {
                    now[kept++] = p;
                }
            }
            if (kept == 0) {
                frames.clear(frame << FRAME_SHIFT, 1);
            } else if (kept != old.length) {
                frames.set(frame << FRAME_SHIFT, 1, Bucket.of(Arrays.copyOf(now, kept)));
            }
        }
    }

    /**
     * The piece holding {@code iova}. O(1), lock-free, no allocation.
     *
     * @param iova any IOVA
     * @return the piece, or null if none holds it
     */
    public Piece find(long iova) {
        Bucket bucket = frames.find(iova);
        if (bucket == null) {
            return null;
        }
        long[] starts = bucket.starts();
        // the last piece starting at or below iova (IOVAs below 2^48: signed comparison is right)
        int low = 0;
        int high = starts.length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (starts[mid] <= iova) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        Piece p = bucket.pieces()[low];
        return p.holds(iova) ? p : null;
    }

    private Bucket bucket(long frame) {
        Bucket bucket = frames.find(frame << FRAME_SHIFT);
        return bucket == null ? EMPTY : bucket;
    }

    @Override
    public String toString() {
        return "IovaIndex[frame=" + hex(1L << FRAME_SHIFT) + "]";
    }
}
