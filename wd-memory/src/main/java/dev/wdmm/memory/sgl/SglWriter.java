package dev.wdmm.memory.sgl;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdMappingException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Writes a hardware SGL chain that describes a list of the caller's buffers into SGL images the
 * caller owns (UADK v2's {@code hisi_qm_get_hw_sgl} over a {@code wd_datalist}), allocating no
 * Java object: the address-based, zero-garbage way to hand a device a list of buffers. Each buffer
 * is split where its memory stops being contiguous in device address space and at
 * {@value HwSgl#MAX_ENTRY_LENGTH} bytes; each piece is one entry, entries fill SGLs of
 * {@code entriesPerSgl} entries, chained through their next-DMA words. After the transfer,
 * {@link HwSgl#entryLength} (or {@link #entryLength}) reads the length the device left in each
 * entry ({@code wd_get_sge_datalen}). {@link BufferListSgl} is the object-based variant that
 * allocates the images from a bridge.
 *
 * <p>The two functions describe the memory as in {@link ContiguousSgl}:
 * {@code contiguousLength.applyAsLong(va, limit)} returns how many bytes from {@code va} on (at
 * most {@code limit}) are contiguous in device address space (0 if not mapped), and
 * {@code iova.applyAsLong(va)} the device address of {@code va}. Stateless and thread-safe; the
 * functions must be too, and the images must not be written by another thread meanwhile.
 */
public final class SglWriter {
    private SglWriter() {}

    /**
     * How many entries the buffers need (the pieces they split into), without writing anything.
     *
     * @param vas start addresses, {@code vas[0..count)}
     * @param lengths lengths, {@code lengths[0..count)}, each {@code > 0}
     * @param count buffers, {@code >= 1}
     * @param contiguousLength as in the class comment
     * @return the number of entries
     * @throws IllegalArgumentException if an argument breaks its rule (the message names it)
     * @throws WdMappingException if part of a buffer is not mapped (buffer, offset named)
     */
    public static int entriesNeeded(long[] vas, long[] lengths, int count, LongBinaryOperator contiguousLength) {
        requireList(vas, lengths, count);
        Objects.requireNonNull(contiguousLength, "contiguousLength is null");
        long entries = 0;
        for (int b = 0; b < count; b++) {
            long done = 0;
            while (done < lengths[b]) {
                done += piece(vas[b], lengths[b], done, b, contiguousLength);
                entries++;
            }
        }
        return (int) Math.min(entries, Integer.MAX_VALUE);
    }

    /**
     * Writes the chain for {@code count} buffers into {@code images}: SGL {@code s}'s image at
     * {@code s * imageBytes(entriesPerSgl)}, the next-DMA words computed from {@code imagesIova}.
     * Checks everything first: on any refusal nothing is written.
     *
     * @param images the images' memory, IOVA-contiguous from {@code imagesIova} on, each image
     *     64-byte aligned in device address space (the hardware's rule)
     * @param imagesIova device address of {@code images}' first byte
     * @param entriesPerSgl entries per SGL, 1 to 255
     * @param vas start addresses, {@code vas[0..count)}
     * @param lengths lengths, each {@code > 0}
     * @param count buffers, {@code >= 1}
     * @param contiguousLength as in the class comment
     * @param iova as in the class comment
     * @return the number of entries written; the chain's SGL count is
     *     {@code ceil(entries / entriesPerSgl)}
     * @throws IllegalArgumentException if an argument breaks its rule, the chain needs more than
     *     256 SGLs or {@code images} is too small (the message names the sizes)
     * @throws WdMappingException if part of a buffer is not mapped
     */
    public static int write(
            MemorySegment images,
            long imagesIova,
            int entriesPerSgl,
            long[] vas,
            long[] lengths,
            int count,
            LongBinaryOperator contiguousLength,
            LongUnaryOperator iova) {
        Objects.requireNonNull(images, "images is null");
        Objects.requireNonNull(iova, "iova is null");
        long imageBytes = HwSgl.imageBytes(entriesPerSgl);
        if ((imagesIova & 63) != 0) {
            throw new IllegalArgumentException("imagesIova=" + hex(imagesIova) + " must be 64-byte aligned");
        }
        int entries = entriesNeeded(vas, lengths, count, contiguousLength);
        long sgls = ((long) entries + entriesPerSgl - 1) / entriesPerSgl;
        if (sgls > HwSgl.MAX_SGLS_PER_CHAIN) {
            throw new IllegalArgumentException("buffers=" + count + " need entries=" + entries + " in sgls=" + sgls
                    + ", more than the hardware's " + HwSgl.MAX_SGLS_PER_CHAIN + " per chain with entriesPerSgl="
                    + entriesPerSgl);
        }
        if (images.byteSize() < sgls * imageBytes) {
            throw new IllegalArgumentException("images.byteSize()=" + images.byteSize() + " must be >= sgls=" + sgls
                    + " * imageBytes=" + imageBytes);
        }
        int written = 0;
        for (int b = 0; b < count; b++) {
            long done = 0;
            while (done < lengths[b]) {
                long at = vas[b] + done;
                long length = piece(vas[b], lengths[b], done, b, contiguousLength);
                int s = written / entriesPerSgl;
                int k = written % entriesPerSgl;
                long offset = s * imageBytes;
                if (k == 0) {
                    int here = Math.min(entriesPerSgl, entries - written);
                    long next = s + 1 < sgls ? imagesIova + offset + imageBytes : 0;
                    HwSgl.writeHeaderInPlace(images, offset, next, entries - written, here, entriesPerSgl);
                    for (int j = here; j < entriesPerSgl; j++) {
                        HwSgl.writeEntryInPlace(images, offset, j, 0, 0);
                    }
                }
                HwSgl.writeEntryInPlace(images, offset, k, iova.applyAsLong(at), length);
                written++;
                done += length;
            }
        }
        return written;
    }

    /**
     * The length the device left in entry {@code k} of a chain written by {@link #write} (UADK's
     * {@code wd_get_sge_datalen}).
     *
     * @param images the images' memory
     * @param entriesPerSgl as given to {@link #write}
     * @param k entry index in the chain, {@code >= 0}
     * @return the unsigned 32-bit length
     * @throws IndexOutOfBoundsException if {@code k} is negative or past {@code images}
     * @throws IllegalArgumentException if {@code entriesPerSgl} is out of range
     */
    public static long entryLength(MemorySegment images, int entriesPerSgl, int k) {
        long imageBytes = HwSgl.imageBytes(entriesPerSgl);
        if (k < 0) {
            throw new IndexOutOfBoundsException("k=" + k + " must be >= 0");
        }
        return HwSgl.entryLength(images, (k / entriesPerSgl) * imageBytes, k % entriesPerSgl);
    }

    private static long piece(long va, long length, long done, int buffer, LongBinaryOperator contiguousLength) {
        long at = va + done;
        long want = Math.min(length - done, HwSgl.MAX_ENTRY_LENGTH);
        long run = contiguousLength.applyAsLong(at, want);
        if (run <= 0) {
            throw new WdMappingException(
                    va,
                    length,
                    done,
                    "buffer " + buffer + " va=" + hex(va) + " length=" + length + " is not mapped at va=" + hex(at)
                            + " breakOffset=" + done);
        }
        return Math.min(run, want);
    }

    private static void requireList(long[] vas, long[] lengths, int count) {
        Objects.requireNonNull(vas, "vas is null");
        Objects.requireNonNull(lengths, "lengths is null");
        if (count < 1 || count > vas.length || count > lengths.length) {
            throw new IllegalArgumentException("count=" + count + " must be in [1, min(vas.length=" + vas.length
                    + ", lengths.length=" + lengths.length + ")]");
        }
        for (int b = 0; b < count; b++) {
            if (lengths[b] <= 0) {
                throw new IllegalArgumentException("lengths[" + b + "]=" + lengths[b] + " must be > 0");
            }
            if (Long.compareUnsigned(vas[b] + lengths[b], vas[b]) < 0) {
                throw new IllegalArgumentException(
                        "buffer " + b + " va=" + hex(vas[b]) + " length=" + lengths[b] + " wraps the address space");
            }
        }
    }
}
