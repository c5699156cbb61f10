package dev.wdmm.rig;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers a subject hands out before a migration round and that stay allocated and mapped through
 * it: for each size and interior offset of {@link #CASES}, a source and a destination whose device
 * addresses are asked for once, before the round, and recorded. After the round {@link #verify}
 * has the device copy each buffer through those recorded addresses only: if the kernel moved a
 * page that the subject claimed to hold in place, the bytes differ. Not thread-safe.
 */
final class HeldBuffers {
    /**
     * Size and interior offset of every held buffer: inside one page, several whole pages, a page
     * boundary crossed at an interior offset, and a larger buffer crossing several boundaries.
     */
    static final long[][] CASES = {{200, 9}, {3 * RawPagemap.PAGE, 0}, {1000, 3600}, {40_000, 2048}};

    /** One held buffer: its allocations, the slices moved, and the addresses recorded before the round. */
    private record Held(
            long size,
            long offset,
            MemorySegment srcAlloc,
            MemorySegment dstAlloc,
            MemorySegment src,
            MemorySegment dst,
            List<RoundTrip.Premapped> pieces) {}

    private final DmaSubject subject;
    private final List<Held> held = new ArrayList<>();

    private HeldBuffers(DmaSubject subject) {
        this.subject = subject;
    }

    /**
     * Allocates and maps every case of {@link #CASES} from {@code subject}; on failure releases what
     * it took and throws.
     */
    static HeldBuffers hold(DmaSubject subject) {
        HeldBuffers buffers = new HeldBuffers(subject);
        try {
            for (long[] c : CASES) {
                buffers.held.add(buffers.allocate(c[0], c[1]));
            }
        } catch (RuntimeException e) {
            buffers.release();
            throw e;
        }
        return buffers;
    }

    /** Every device address recorded (each piece's source and destination). */
    List<Long> addresses() {
        List<Long> addresses = new ArrayList<>();
        for (Held h : held) {
            for (RoundTrip.Premapped p : h.pieces()) {
                addresses.add(p.srcIova());
                addresses.add(p.dstIova());
            }
        }
        return addresses;
    }

    /** Buffers held. */
    int count() {
        return held.size();
    }

    /** Device addresses recorded: pieces per buffer, summed (a whole range is one piece). */
    int pieces() {
        return held.stream().mapToInt(h -> h.pieces().size()).sum();
    }

    /** Copies every held buffer through its recorded addresses with {@code trip}; throws on the first mismatch. */
    void verify(RoundTrip trip, long seed) {
        for (Held h : held) {
            trip.checkPremapped(
                    h.src(),
                    h.dst(),
                    h.pieces(),
                    seed++,
                    "held size=" + h.size() + " offset=" + h.offset() + " pieces="
                            + h.pieces().size());
        }
    }

    /** Unmaps every recorded address and frees every allocation; idempotent. */
    void release() {
        RuntimeException failure = null;
        for (Held h : held) {
            try {
                for (RoundTrip.Premapped p : h.pieces()) {
                    unmap(h.src(), h.dst(), p);
                }
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            } finally {
                subject.free(h.srcAlloc());
                subject.free(h.dstAlloc());
            }
        }
        held.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private Held allocate(long size, long offset) {
        MemorySegment srcAlloc = subject.alloc(size + offset);
        MemorySegment dstAlloc;
        try {
            dstAlloc = subject.alloc(size + offset);
        } catch (RuntimeException e) {
            subject.free(srcAlloc);
            throw e;
        }
        MemorySegment src = srcAlloc.asSlice(offset, size);
        MemorySegment dst = dstAlloc.asSlice(offset, size);
        try {
            return new Held(size, offset, srcAlloc, dstAlloc, src, dst, map(src, dst));
        } catch (RuntimeException e) {
            subject.free(srcAlloc);
            subject.free(dstAlloc);
            throw e;
        }
    }

    /**
     * The whole range as one piece where the subject gives it one address on both sides, else one
     * piece per stretch that stays inside one 4 KiB page of source and of destination.
     */
    private List<RoundTrip.Premapped> map(MemorySegment src, MemorySegment dst) {
        long size = src.byteSize();
        List<RoundTrip.Premapped> pieces = new ArrayList<>();
        try {
            pieces.add(mapPiece(src, dst, 0, size));
            return pieces;
        } catch (RuntimeException notOneRange) {
            pieces.clear();
        }
        try {
            for (long done = 0; done < size; ) {
                long toBoundary = Math.min(
                        RawPagemap.PAGE - (src.address() + done) % RawPagemap.PAGE,
                        RawPagemap.PAGE - (dst.address() + done) % RawPagemap.PAGE);
                long chunk = Math.min(size - done, toBoundary);
                pieces.add(mapPiece(src, dst, done, chunk));
                done += chunk;
            }
            return pieces;
        } catch (RuntimeException e) {
            pieces.forEach(p -> unmap(src, dst, p));
            throw e;
        }
    }

    private RoundTrip.Premapped mapPiece(MemorySegment src, MemorySegment dst, long offset, long length) {
        long srcIova = subject.map(src.asSlice(offset, length), length);
        long dstIova;
        try {
            dstIova = subject.map(dst.asSlice(offset, length), length);
        } catch (RuntimeException e) {
            subject.unmap(src.asSlice(offset, length), srcIova, length);
            throw e;
        }
        return new RoundTrip.Premapped(offset, length, srcIova, dstIova);
    }

    private void unmap(MemorySegment src, MemorySegment dst, RoundTrip.Premapped p) {
        subject.unmap(src.asSlice(p.offset(), p.length()), p.srcIova(), p.length());
        subject.unmap(dst.asSlice(p.offset(), p.length()), p.dstIova(), p.length());
    }
}
