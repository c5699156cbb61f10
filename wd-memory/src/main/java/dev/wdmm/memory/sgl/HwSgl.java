package dev.wdmm.memory.sgl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The hardware image of one SGL, as the HiSilicon QM walks it. Little-endian throughout:
 *
 * <pre>
 * header, 64 bytes:
 *   0  u64 DMA address of the next SGL's image (0 at the end of a chain)
 *   8  u16 entries in the chain from this SGL to its end
 *  10  u16 entries in this SGL
 *  12  u16 entry capacity of this SGL
 *  14  50 bytes zero
 * entry k at 64 + 32 * k, 32 bytes:
 *   0  u64 buffer DMA address
 *   8  u64 reserved, zero
 *  16  u32 length in bytes
 *  20  12 bytes zero
 * </pre>
 *
 * <p>Hardware limits: at most {@value #MAX_SGLS_PER_CHAIN} SGLs per chain, 1 to
 * {@value #MAX_ENTRIES} entries per SGL, 1 byte to {@value #MAX_ENTRY_LENGTH} bytes per entry.
 * Stateless and thread-safe.
 */
public final class HwSgl {
    /** Bytes of the header. */
    public static final int HEADER_BYTES = 64;
    /** Bytes of one entry. */
    public static final int ENTRY_BYTES = 32;
    /** Header offset of the next SGL's DMA address (u64). */
    public static final int NEXT_DMA_OFFSET = 0;
    /** Header offset of the entries in the chain (u16). */
    public static final int CHAIN_ENTRIES_OFFSET = 8;
    /** Header offset of the entries in this SGL (u16). */
    public static final int ENTRIES_OFFSET = 10;
    /** Header offset of the entry capacity (u16). */
    public static final int CAPACITY_OFFSET = 12;
    /** Entry offset of the buffer DMA address (u64). */
    public static final int ENTRY_DMA_OFFSET = 0;
    /** Entry offset of the reserved word (u64). */
    public static final int ENTRY_RESERVED_OFFSET = 8;
    /** Entry offset of the length (u32). */
    public static final int ENTRY_LENGTH_OFFSET = 16;
    /** Most SGLs one chain may hold. */
    public static final int MAX_SGLS_PER_CHAIN = 256;
    /** Most entries one SGL may hold. */
    public static final int MAX_ENTRIES = 255;
    /** Longest entry: 8 MiB. */
    public static final long MAX_ENTRY_LENGTH = 8L << 20;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private HwSgl() {}

    /**
     * Bytes of the image of an SGL with {@code capacity} entries: {@code 64 + 32 * capacity}.
     *
     * @param capacity entries, {@code 1 <= capacity <= 255}
     * @return bytes
     * @throws IllegalArgumentException if {@code capacity} is out of range
     */
    public static long imageBytes(int capacity) {
        if (capacity < 1 || capacity > MAX_ENTRIES) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be in [1, " + MAX_ENTRIES + "]");
        }
        return HEADER_BYTES + (long) ENTRY_BYTES * capacity;
    }

    /** Writes the header, zeroing its padding. */
    static void writeHeader(
            MemorySegment image, long offset, long nextDma, int chainEntries, int entries, int capacity) {
        image.asSlice(offset, HEADER_BYTES).fill((byte) 0);
        image.set(U64, offset + NEXT_DMA_OFFSET, nextDma);
        image.set(U16, offset + CHAIN_ENTRIES_OFFSET, (short) chainEntries);
        image.set(U16, offset + ENTRIES_OFFSET, (short) entries);
        image.set(U16, offset + CAPACITY_OFFSET, (short) capacity);
    }

    /** Rewrites the chain fields of a header written before. */
    static void linkHeader(MemorySegment image, long offset, long nextDma, int chainEntries) {
        image.set(U64, offset + NEXT_DMA_OFFSET, nextDma);
        image.set(U16, offset + CHAIN_ENTRIES_OFFSET, (short) chainEntries);
    }

    /** Writes entry {@code k}, zeroing its reserved word and padding. */
    static void writeEntry(MemorySegment image, long offset, int k, long dma, long length) {
        long at = offset + HEADER_BYTES + (long) ENTRY_BYTES * k;
        image.asSlice(at, ENTRY_BYTES).fill((byte) 0);
        image.set(U64, at + ENTRY_DMA_OFFSET, dma);
        image.set(U32, at + ENTRY_LENGTH_OFFSET, (int) length);
    }

    /** Writes entry {@code k} like {@link #writeEntry}, without creating a slice (no garbage). */
    static void writeEntryInPlace(MemorySegment image, long offset, int k, long dma, long length) {
        long at = offset + HEADER_BYTES + (long) ENTRY_BYTES * k;
        image.set(U64, at + ENTRY_DMA_OFFSET, dma);
        image.set(U64, at + ENTRY_RESERVED_OFFSET, 0L);
        image.set(U64, at + ENTRY_LENGTH_OFFSET, length & 0xFFFF_FFFFL);
        image.set(U64, at + ENTRY_LENGTH_OFFSET + 8, 0L);
    }

    /** Writes the header like {@link #writeHeader}, without creating a slice (no garbage). */
    static void writeHeaderInPlace(
            MemorySegment image, long offset, long nextDma, int chainEntries, int entries, int capacity) {
        for (long at = offset; at < offset + HEADER_BYTES; at += 8) {
            image.set(U64, at, 0L);
        }
        linkHeader(image, offset, nextDma, chainEntries);
        image.set(U16, offset + ENTRIES_OFFSET, (short) entries);
        image.set(U16, offset + CAPACITY_OFFSET, (short) capacity);
    }

    /**
     * The length field of entry {@code k} of the SGL whose image starts at {@code offset}: what
     * was written, or what the device wrote back after a transfer (UADK's
     * {@code wd_get_sge_datalen}).
     *
     * @param image the image's memory
     * @param offset where the SGL's image starts in {@code image}
     * @param k entry index, {@code 0 <= k < 255}
     * @return the unsigned 32-bit length
     * @throws IndexOutOfBoundsException if {@code k} or the entry lies outside {@code image}
     */
    public static long entryLength(MemorySegment image, long offset, int k) {
        if (k < 0 || k >= MAX_ENTRIES) {
            throw new IndexOutOfBoundsException("k=" + k + " must be in [0, " + MAX_ENTRIES + ")");
        }
        return Integer.toUnsignedLong(
                image.get(U32, offset + HEADER_BYTES + (long) ENTRY_BYTES * k + ENTRY_LENGTH_OFFSET));
    }

    /** Zeroes entries {@code from} to {@code capacity - 1}. */
    static void clearEntries(MemorySegment image, long offset, int from, int capacity) {
        if (from < capacity) {
            image.asSlice(offset + HEADER_BYTES + (long) ENTRY_BYTES * from, (long) ENTRY_BYTES * (capacity - from))
                    .fill((byte) 0);
        }
    }
}
