package dev.wdmm.rig;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Moves buffers RAM → device → RAM through the device addresses a subject gives and compares them
 * byte for byte; also runs the negative control. Counts what it verified. Not thread-safe.
 */
final class RoundTrip {
    private final EduDevice edu;
    private final DmaSubject subject;
    private final long sabotage;
    private long bytes;
    private int buffers;
    private int wholeRangeMaps;
    private int pieceMaps;
    private int premapped;

    /**
     * A piece of a buffer whose device addresses were mapped earlier (before a migration round):
     * bytes {@code [offset, offset+length)} of source and destination, at {@code srcIova} and
     * {@code dstIova}.
     */
    record Premapped(long offset, long length, long srcIova, long dstIova) {}

    /**
     * @param sabotage added to every source address of {@link #check} and {@link #checkPremapped}
     *        (0 normally): a non-zero value proves the check fails when the address is wrong
     *        (rig/run.sh --sabotage)
     */
    RoundTrip(EduDevice edu, DmaSubject subject, long sabotage) {
        this.edu = edu;
        this.subject = subject;
        this.sabotage = sabotage;
    }

    long bytes() {
        return bytes;
    }

    int buffers() {
        return buffers;
    }

    /** Buffers moved through addresses mapped earlier ({@link #checkPremapped}). */
    int premapped() {
        return premapped;
    }

    String maps() {
        return "whole-range-maps=" + wholeRangeMaps + " page-piece-maps=" + pieceMaps;
    }

    /**
     * Copies a {@code size}-byte buffer at interior offset {@code offset} of a fresh allocation to
     * another one through the device; throws naming the first differing byte.
     */
    void check(long size, long offset, long seed) {
        MemorySegment srcAlloc = subject.alloc(size + offset);
        MemorySegment dstAlloc = subject.alloc(size + offset);
        try {
            MemorySegment src = srcAlloc.asSlice(offset, size);
            MemorySegment dst = dstAlloc.asSlice(offset, size);
            fill(src, seed);
            fill(dst, ~seed);
            copy(src, dst, size, 0);
            compare(src, dst, "size=" + size + " offset=" + offset);
            bytes += size;
            buffers++;
        } finally {
            subject.free(srcAlloc);
            subject.free(dstAlloc);
        }
    }

    /**
     * Copies {@code src} to {@code dst} through the device at addresses mapped earlier, without
     * asking the subject again: after fresh patterns are written (so that a page moved away from
     * its old frame shows as a mismatch on either side), every piece goes through its recorded
     * IOVAs; throws naming the first differing byte. The caller unmaps and frees.
     */
    void checkPremapped(MemorySegment src, MemorySegment dst, List<Premapped> pieces, long seed, String what) {
        fill(src, seed);
        fill(dst, ~seed);
        for (Premapped piece : pieces) {
            transfer(piece.srcIova(), piece.dstIova(), piece.length(), 0);
        }
        compare(src, dst, what + " through the IOVAs recorded before the migration round:");
        bytes += src.byteSize();
        buffers++;
        premapped++;
    }

    /**
     * The negative control: the device reads from a deliberately wrong address (the right one plus
     * {@code skew}); the destination must then differ from the source. Returns true when it does.
     */
    boolean wrongAddressMismatches(long size, long skew, long seed) {
        MemorySegment src = subject.alloc(size);
        MemorySegment dst = subject.alloc(size);
        try {
            fill(src, seed);
            fill(dst, ~seed);
            long srcIova = subject.map(src, size);
            long dstIova = subject.map(dst, size);
            edu.toDevice(srcIova + skew, 0, (int) size);
            edu.toRam(0, dstIova, (int) size);
            subject.unmap(src, srcIova, size);
            subject.unmap(dst, dstIova, size);
            return src.mismatch(dst) >= 0;
        } finally {
            subject.free(src);
            subject.free(dst);
        }
    }

    private void copy(MemorySegment src, MemorySegment dst, long size, int deviceOffset) {
        long srcIova;
        long dstIova;
        try {
            srcIova = subject.map(src, size);
        } catch (RuntimeException notOneRange) {
            copyByPages(src, dst, size, deviceOffset);
            return;
        }
        try {
            dstIova = subject.map(dst, size);
        } catch (RuntimeException notOneRange) {
            subject.unmap(src, srcIova, size);
            copyByPages(src, dst, size, deviceOffset);
            return;
        }
        wholeRangeMaps++;
        transfer(srcIova, dstIova, size, deviceOffset);
        subject.unmap(src, srcIova, size);
        subject.unmap(dst, dstIova, size);
    }

    /** Moves {@code size} bytes RAM → device → RAM in pieces the device takes (sabotaged source, if asked). */
    private void transfer(long srcIova, long dstIova, long size, int deviceOffset) {
        for (long done = 0; done < size; ) {
            int chunk = (int) Math.min(size - done, EduRegisters.BUFFER_LIMIT - deviceOffset);
            edu.toDevice(srcIova + sabotage + done, deviceOffset, chunk);
            edu.toRam(deviceOffset, dstIova + done, chunk);
            done += chunk;
        }
    }

    private static void compare(MemorySegment src, MemorySegment dst, String what) {
        long mismatch = src.mismatch(dst);
        if (mismatch >= 0) {
            throw new RigException(what + " first mismatch at byte " + mismatch
                    + ": sent=0x" + Integer.toHexString(src.get(ValueLayout.JAVA_BYTE, mismatch) & 0xff)
                    + " received=0x" + Integer.toHexString(dst.get(ValueLayout.JAVA_BYTE, mismatch) & 0xff));
        }
    }

    /** For ranges that have no single address: every piece inside one 4 KiB page gets its own map. */
    private void copyByPages(MemorySegment src, MemorySegment dst, long size, int deviceOffset) {
        for (long done = 0; done < size; ) {
            long toBoundary = Math.min(
                    RawPagemap.PAGE - (src.address() + done) % RawPagemap.PAGE,
                    RawPagemap.PAGE - (dst.address() + done) % RawPagemap.PAGE);
            int chunk = (int) Math.min(Math.min(size - done, toBoundary), EduRegisters.BUFFER_LIMIT - deviceOffset);
            MemorySegment s = src.asSlice(done, chunk);
            MemorySegment d = dst.asSlice(done, chunk);
            long si = subject.map(s, chunk);
            long di = subject.map(d, chunk);
            pieceMaps++;
            edu.toDevice(si + sabotage, deviceOffset, chunk);
            edu.toRam(deviceOffset, di, chunk);
            subject.unmap(s, si, chunk);
            subject.unmap(d, di, chunk);
            done += chunk;
        }
    }

    static void fill(MemorySegment segment, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < segment.byteSize(); i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
        }
    }
}
