package dev.wdmm.rig;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.sgl.Sgl;
import dev.wdmm.memory.sgl.SglPool;
import dev.wdmm.memory.sgl.SglPoolSetup;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Proves the DMA addresses inside a hardware SGL built over a backend: the device reads the SGL's
 * own image at {@link Sgl#dma()} and every entry's buffer at the address written in that entry
 * (read back from the image by this class, little-endian: u64 address at +0, u32 length at +16 of
 * each 32-byte entry after the 64-byte header), and each read must equal the bytes the CPU sees.
 * Not thread-safe.
 */
final class SglTrip {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int HEADER = 64;
    private static final int ENTRY = 32;

    private final EduDevice edu;
    private final DmaSubject subject;
    private long bytes;
    private int entries;

    SglTrip(EduDevice edu, DmaSubject subject) {
        this.edu = edu;
        this.subject = subject;
    }

    long bytes() {
        return bytes;
    }

    int entries() {
        return entries;
    }

    /** Builds a six-entry SGL over {@code bridge} and checks its image and every entry through the device. */
    void check(WdMmBridge bridge, long seed) {
        try (SglPool pool = SglPool.create(bridge, new SglPoolSetup(4, 8, 8, 2048, 64))) {
            Sgl sgl = pool.alloc(5 * 2048 + 300);
            try {
                int count = sgl.entryCount();
                if (sgl.sglCount() != 1 || count < 2) {
                    throw new RigException("sgl sglCount=" + sgl.sglCount() + " entryCount=" + count
                            + " must be one SGL with several entries");
                }
                for (int k = 0; k < count; k++) {
                    RoundTrip.fill(sgl.buffer(k), seed + k);
                }
                MemorySegment image = sgl.image().asSlice(0, HEADER + (long) ENTRY * count);
                deviceReadEquals(sgl.dma(), image, "sgl image");
                for (int k = 0; k < count; k++) {
                    long dma = image.get(U64, HEADER + (long) ENTRY * k);
                    int length = image.get(U32, HEADER + (long) ENTRY * k + 16);
                    if (length != sgl.buffer(k).byteSize()) {
                        throw new RigException("sgl entry=" + k + " length=" + length + " but buffer(k).byteSize()="
                                + sgl.buffer(k).byteSize());
                    }
                    deviceReadEquals(dma, sgl.buffer(k), "sgl entry=" + k);
                    entries++;
                }
            } finally {
                pool.free(sgl);
            }
        }
    }

    /** The device reads {@code expected.byteSize()} bytes at {@code dma}; they must equal {@code expected}. */
    private void deviceReadEquals(long dma, MemorySegment expected, String what) {
        int length = (int) expected.byteSize();
        edu.toDevice(dma, 0, length);
        MemorySegment landing = subject.alloc(length);
        try {
            landing.fill((byte) 0x5a);
            // written back through the subject's translations (already proven by RoundTrip), page piece by piece
            for (int done = 0; done < length; ) {
                int piece =
                        (int) Math.min(length - done, RawPagemap.PAGE - (landing.address() + done) % RawPagemap.PAGE);
                MemorySegment target = landing.asSlice(done, piece);
                long iova = subject.map(target, piece);
                edu.toRam(done, iova, piece);
                subject.unmap(target, iova, piece);
                done += piece;
            }
            long mismatch = expected.mismatch(landing);
            if (mismatch >= 0) {
                throw new RigException(what + " dma=0x" + Long.toHexString(dma) + " length=" + length
                        + " device read differs from the CPU's bytes at byte " + mismatch);
            }
            bytes += length;
        } finally {
            subject.free(landing);
        }
    }
}
