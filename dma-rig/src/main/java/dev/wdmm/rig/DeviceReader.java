package dev.wdmm.rig;

import java.lang.foreign.MemorySegment;

/**
 * Has the device read a range of RAM by one device address and compares what it read with the
 * bytes the CPU sees: the range is moved RAM → edu in pieces of at most 4,095 bytes at
 * {@code dma + offset} (so every byte is reached through the one address, which proves the range
 * IOVA-contiguous), and each piece back to a landing buffer of the subject, written through the
 * subject's own translations page piece by page piece (already proven by {@link RoundTrip}). Not
 * thread-safe.
 */
final class DeviceReader {
    private static final int PIECE = 4095;

    private final EduDevice edu;
    private final DmaSubject subject;
    private long bytes;

    DeviceReader(EduDevice edu, DmaSubject subject) {
        this.edu = edu;
        this.subject = subject;
    }

    /** Bytes read by the device so far. */
    long bytes() {
        return bytes;
    }

    /** The device reads {@code expected.byteSize()} bytes from {@code dma} on; they must equal {@code expected}. */
    void readEquals(long dma, MemorySegment expected, String what) {
        long length = expected.byteSize();
        for (long done = 0; done < length; ) {
            int piece = (int) Math.min(PIECE, length - done);
            edu.toDevice(dma + done, 0, piece);
            MemorySegment landing = subject.alloc(piece);
            try {
                landing.fill((byte) 0x5a);
                for (int at = 0; at < piece; ) {
                    int part = (int) Math.min(piece - at, RawPagemap.PAGE - (landing.address() + at) % RawPagemap.PAGE);
                    MemorySegment target = landing.asSlice(at, part);
                    long iova = subject.map(target, part);
                    edu.toRam(at, iova, part);
                    subject.unmap(target, iova, part);
                    at += part;
                }
                long mismatch = expected.asSlice(done, piece).mismatch(landing);
                if (mismatch >= 0) {
                    throw new RigException(what + " dma=0x" + Long.toHexString(dma) + " length=" + length
                            + " device read differs from the CPU's bytes at byte " + (done + mismatch));
                }
            } finally {
                subject.free(landing);
            }
            bytes += piece;
            done += piece;
        }
    }

    /** The device writes {@code value} (4 bytes, little-endian) to RAM at {@code dma}. */
    void writeU32(long dma, int value) {
        MemorySegment source = subject.alloc(4);
        try {
            source.set(
                    java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                    0,
                    value);
            long iova = subject.map(source, 4);
            edu.toDevice(iova, 0, 4);
            subject.unmap(source, iova, 4);
            edu.toRam(0, dma, 4);
        } finally {
            subject.free(source);
        }
    }
}
