package dev.wdmm.memory.sgl;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdMappingException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Describes memory that is not physically contiguous (the no-IOMMU backend's 4 KiB pages) as a
 * hardware SGL chain: the buffer is split into contiguous pieces, one entry each, at most
 * {@value HwSgl#MAX_ENTRY_LENGTH} bytes per entry, and the images are written into DMA memory the
 * caller supplies. Stateless and thread-safe; the functions given must be too.
 *
 * <p>The two functions describe the memory: {@code contiguousLength.applyAsLong(va, limit)}
 * returns how many bytes from {@code va} on (at most {@code limit}) are contiguous in device
 * address space (0 if {@code va} is not mapped), and {@code iova.applyAsLong(va)} returns the
 * device address of {@code va}. A {@link dev.wdmm.memory.table.TranslationTable} provides both as
 * {@code table::contiguousLength} and {@code table::lookup}.
 */
public final class ContiguousSgl {
    private ContiguousSgl() {}

    /**
     * A chain written by {@link #build}.
     *
     * @param dma IOVA of the first SGL's image: what a device is given
     * @param sglCount SGLs in the chain
     * @param pieces the entries, in order
     */
    public record Chain(long dma, int sglCount, List<SglPiece> pieces) {
        /**
         * Copies the piece list.
         */
        public Chain {
            pieces = List.copyOf(pieces);
        }
    }

    /**
     * Splits {@code [va, va + length)} into contiguous pieces of at most 8 MiB each.
     *
     * @param va start of the buffer
     * @param length bytes, {@code > 0}
     * @param contiguousLength {@code (va, limit) -> contiguous bytes from va, in [0, limit]}
     * @param iova {@code va -> device address}
     * @return the pieces, in address order, covering the buffer exactly
     * @throws NullPointerException if a function is null
     * @throws IllegalArgumentException if {@code length <= 0} or the range wraps
     * @throws WdMappingException if part of the buffer is not mapped ({@code breakOffset} says where)
     */
    public static List<SglPiece> split(
            long va, long length, LongBinaryOperator contiguousLength, LongUnaryOperator iova) {
        Objects.requireNonNull(contiguousLength, "contiguousLength is null");
        Objects.requireNonNull(iova, "iova is null");
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " must be > 0");
        }
        if (Long.compareUnsigned(va + length, va) < 0) {
            throw new IllegalArgumentException("va=" + hex(va) + " length=" + length + " wraps the address space");
        }
        List<SglPiece> pieces = new ArrayList<>();
        long done = 0;
        while (done < length) {
            long at = va + done;
            long want = Math.min(length - done, HwSgl.MAX_ENTRY_LENGTH);
            long run = contiguousLength.applyAsLong(at, want);
            if (run <= 0) {
                throw new WdMappingException(
                        va,
                        length,
                        done,
                        "va=" + hex(va) + " length=" + length + " is not mapped at va=" + hex(at) + " breakOffset="
                                + done);
            }
            long piece = Math.min(run, want);
            pieces.add(new SglPiece(at, iova.applyAsLong(at), piece));
            done += piece;
        }
        return pieces;
    }

    /**
     * Splits the buffer as {@link #split} does and writes the chain's images into
     * {@code images}, one image of {@code 64 + 32 * entriesPerSgl} bytes after the other.
     *
     * @param images DMA memory for the images; its bytes must be IOVA-contiguous from
     *     {@code imagesIova} on (for example a block of a block pool)
     * @param imagesIova device address of {@code images}' first byte
     * @param entriesPerSgl entries per SGL, 1 to 255
     * @param va start of the buffer
     * @param length bytes, {@code > 0}
     * @param contiguousLength as for {@link #split}
     * @param iova as for {@link #split}
     * @return the chain
     * @throws IllegalArgumentException if {@code entriesPerSgl} is out of range, the chain would
     *     need more than 256 SGLs, or {@code images} is too small or not native (nothing written)
     * @throws WdMappingException if part of the buffer is not mapped (nothing written)
     */
    public static Chain build(
            MemorySegment images,
            long imagesIova,
            int entriesPerSgl,
            long va,
            long length,
            LongBinaryOperator contiguousLength,
            LongUnaryOperator iova) {
        Objects.requireNonNull(images, "images is null");
        long imageBytes = HwSgl.imageBytes(entriesPerSgl);
        if (!images.isNative()) {
            throw new IllegalArgumentException("images=" + images + " must be a native segment");
        }
        List<SglPiece> pieces = split(va, length, contiguousLength, iova);
        int sgls = (pieces.size() + entriesPerSgl - 1) / entriesPerSgl;
        if (sgls > HwSgl.MAX_SGLS_PER_CHAIN) {
            throw new IllegalArgumentException("length=" + length + " needs pieces=" + pieces.size() + " in sgls="
                    + sgls
                    + ", more than the hardware's " + HwSgl.MAX_SGLS_PER_CHAIN + " per chain with entriesPerSgl="
                    + entriesPerSgl);
        }
        if (images.byteSize() < sgls * imageBytes) {
            throw new IllegalArgumentException("images.byteSize()=" + images.byteSize() + " must be >= sgls=" + sgls
                    + " * imageBytes=" + imageBytes);
        }
        for (int s = 0; s < sgls; s++) {
            int first = s * entriesPerSgl;
            int used = Math.min(entriesPerSgl, pieces.size() - first);
            long offset = s * imageBytes;
            long nextDma = s + 1 < sgls ? imagesIova + offset + imageBytes : 0;
            HwSgl.writeHeader(images, offset, nextDma, pieces.size() - first, used, entriesPerSgl);
            for (int j = 0; j < used; j++) {
                SglPiece piece = pieces.get(first + j);
                HwSgl.writeEntry(images, offset, j, piece.iova(), piece.length());
            }
            HwSgl.clearEntries(images, offset, used, entriesPerSgl);
        }
        return new Chain(imagesIova, sgls, pieces);
    }
}
