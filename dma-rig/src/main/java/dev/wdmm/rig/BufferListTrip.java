package dev.wdmm.rig;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.sgl.BufferListSgl;
import dev.wdmm.memory.sgl.HwSgl;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Proves an SGL built from a list of the caller's buffers ({@link BufferListSgl}, UADK v2's
 * {@code hisi_qm_get_hw_sgl} over a {@code wd_datalist}) by DMA: three buffers of the bridge (a
 * 300-byte header at an interior offset, a 9,000-byte body that crosses pages, a 64-byte trailer)
 * become one chain; the device reads the chain's image at its head DMA address and every entry's
 * buffer piece at the address written in the entry (read back from the image, little-endian), and
 * each must equal the CPU's bytes; then the device writes a data length into each entry's length
 * word (as a device reports how much it wrote, {@code wd_get_sge_datalen}) and
 * {@link BufferListSgl#dataLength} must read exactly that value. Not thread-safe.
 */
final class BufferListTrip {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DeviceReader reader;
    private int entries;

    BufferListTrip(EduDevice edu, DmaSubject subject) {
        this.reader = new DeviceReader(edu, subject);
    }

    long bytes() {
        return reader.bytes();
    }

    int entries() {
        return entries;
    }

    void check(String name, WdMmBridge bridge, long seed) {
        MemorySegment headerHome = bridge.alloc(1000);
        MemorySegment body = bridge.alloc(9000);
        MemorySegment trailer = bridge.alloc(64);
        try {
            MemorySegment header = headerHome.asSlice(100, 300);
            RoundTrip.fill(header, seed);
            RoundTrip.fill(body, seed + 1);
            RoundTrip.fill(trailer, seed + 2);
            try (BufferListSgl sgl = BufferListSgl.create(bridge, List.of(header, body, trailer))) {
                int count = sgl.entryCount();
                if (count < 3 || sgl.sglCount() != 1) {
                    throw new RigException(name + " buffer-list sgl entryCount=" + count + " sglCount=" + sgl.sglCount()
                            + " must be one SGL of at least 3 entries");
                }
                MemorySegment image = sgl.image().asSlice(0, HwSgl.HEADER_BYTES + (long) HwSgl.ENTRY_BYTES * count);
                reader.readEquals(sgl.dma(), image, name + " buffer-list sgl image");
                long covered = 0;
                for (int k = 0; k < count; k++) {
                    long entry = HwSgl.HEADER_BYTES + (long) HwSgl.ENTRY_BYTES * k;
                    long dma = image.get(U64, entry + HwSgl.ENTRY_DMA_OFFSET);
                    int length = image.get(U32, entry + HwSgl.ENTRY_LENGTH_OFFSET);
                    if (length != sgl.buffer(k).byteSize()) {
                        throw new RigException(name + " buffer-list entry=" + k + " length=" + length
                                + " but buffer(k).byteSize()=" + sgl.buffer(k).byteSize());
                    }
                    reader.readEquals(dma, sgl.buffer(k), name + " buffer-list entry=" + k);
                    covered += length;
                    int written = (length / 2) + k + 1;
                    reader.writeU32(sgl.dma() + entry + HwSgl.ENTRY_LENGTH_OFFSET, written);
                    if (sgl.dataLength(k) != written) {
                        throw new RigException(name + " buffer-list entry=" + k + " the device wrote length=" + written
                                + " but dataLength(k)=" + sgl.dataLength(k));
                    }
                    entries++;
                }
                if (covered != 300 + 9000 + 64) {
                    throw new RigException(name + " buffer-list entries cover " + covered + " bytes, not 9364");
                }
            }
        } finally {
            bridge.free(headerHome);
            bridge.free(body);
            bridge.free(trailer);
        }
    }
}
