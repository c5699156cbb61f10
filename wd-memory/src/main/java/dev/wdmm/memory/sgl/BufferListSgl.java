package dev.wdmm.memory.sgl;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A hardware SGL chain over a list of the caller's buffers (UADK v2's {@code hisi_qm_get_hw_sgl}
 * over a {@code wd_datalist}): every buffer is translated through the bridge that owns it, split
 * where its memory stops being IOVA-contiguous ({@link WdContiguity}, where the bridge offers it)
 * and at {@value HwSgl#MAX_ENTRY_LENGTH} bytes, one entry per piece; the SGL images are allocated
 * from the same bridge (one allocation of at most 4 KiB per SGL, {@value #ENTRIES_PER_SGL}
 * entries each, so that each image is contiguous on every backend). The buffers stay the caller's:
 * {@link #close()} unmaps them and frees only the images. After the device wrote, {@link
 * #dataLength} reads the length it left in each entry ({@code wd_get_sge_datalen}).
 *
 * <p>As an {@link Sgl} it goes into a {@link dev.wdmm.api.WdDtb} of type SGL. {@link #copyFrom}
 * and {@link #copyTo} cover the pieces in order. Thread-safety: reads may come from any thread;
 * {@link #close()} racing other use is a caller error (then they throw
 * {@link IllegalStateException}; the JVM stays safe). For a hot path without garbage, write into
 * images you own with {@link SglWriter}.
 */
public final class BufferListSgl implements Sgl, AutoCloseable {
    /** Entries per SGL: the largest count whose image fits 4 KiB ({@code 64 + 32 * 126 = 4096}). */
    public static final int ENTRIES_PER_SGL = 126;

    private final WdMmBridge bridge;
    private final List<MemorySegment> pieces;
    private final long[] pieceIovas;
    private final List<MemorySegment> images;
    private final long[] imageIovas;
    private final long size;
    private volatile boolean closed;

    private BufferListSgl(
            WdMmBridge bridge,
            List<MemorySegment> pieces,
            long[] pieceIovas,
            List<MemorySegment> images,
            long[] imageIovas) {
        this.bridge = bridge;
        this.pieces = pieces;
        this.pieceIovas = pieceIovas;
        this.images = images;
        this.imageIovas = imageIovas;
        this.size = pieces.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    /**
     * Builds the chain. Nothing is left mapped or allocated if it fails.
     *
     * @param bridge the bridge that owns every buffer (and gives the images)
     * @param buffers the caller's buffers, in order, each native and non-empty; at most 256 SGLs
     *     of {@value #ENTRIES_PER_SGL} entries after splitting
     * @return the chain
     * @throws NullPointerException if an argument or a buffer is null
     * @throws IllegalArgumentException if the list is empty, a buffer is empty or not native, or
     *     the pieces need more than 256 SGLs
     * @throws dev.wdmm.api.WdOwnershipException if a buffer is not memory of the bridge
     * @throws dev.wdmm.api.WdMappingException if a bridge without {@link WdContiguity} cannot map a
     *     buffer as one range
     * @throws dev.wdmm.api.WdAllocationException if the images cannot be allocated
     */
    public static BufferListSgl create(WdMmBridge bridge, List<MemorySegment> buffers) {
        Objects.requireNonNull(bridge, "bridge is null");
        Objects.requireNonNull(buffers, "buffers is null");
        if (buffers.isEmpty()) {
            throw new IllegalArgumentException("buffers is empty: an SGL needs at least one entry");
        }
        List<MemorySegment> pieces = new ArrayList<>();
        List<Long> iovas = new ArrayList<>();
        List<MemorySegment> images = new ArrayList<>();
        List<Long> imageIovas = new ArrayList<>();
        try {
            split(bridge, buffers, pieces, iovas);
            int sgls = (pieces.size() + ENTRIES_PER_SGL - 1) / ENTRIES_PER_SGL;
            if (sgls > HwSgl.MAX_SGLS_PER_CHAIN) {
                throw new IllegalArgumentException("buffers=" + buffers.size() + " split into entries=" + pieces.size()
                        + " need sgls=" + sgls + ", more than the hardware's " + HwSgl.MAX_SGLS_PER_CHAIN);
            }
            for (int s = 0; s < sgls; s++) {
                int entries = Math.min(ENTRIES_PER_SGL, pieces.size() - s * ENTRIES_PER_SGL);
                long bytes = HwSgl.imageBytes(entries);
                MemorySegment image = bridge.alloc(bytes);
                images.add(image);
                long iova = bridge.iovaMap(image, bytes);
                imageIovas.add(iova);
                if ((iova & 63) != 0) {
                    throw new IllegalArgumentException("image iova=" + hex(iova) + " of the bridge must be 64-byte"
                            + " aligned (the hardware's rule for SGL images)");
                }
            }
        } catch (RuntimeException | Error e) {
            undo(bridge, pieces, iovas, images, imageIovas);
            throw e;
        }
        BufferListSgl sgl = new BufferListSgl(
                bridge,
                List.copyOf(pieces),
                iovas.stream().mapToLong(Long::longValue).toArray(),
                List.copyOf(images),
                imageIovas.stream().mapToLong(Long::longValue).toArray());
        sgl.writeImages();
        return sgl;
    }

    private static void split(
            WdMmBridge bridge, List<MemorySegment> buffers, List<MemorySegment> pieces, List<Long> iovas) {
        WdContiguity contiguity = bridge.unwrap(WdContiguity.class).orElse(null);
        for (int b = 0; b < buffers.size(); b++) {
            MemorySegment buffer = Objects.requireNonNull(buffers.get(b), "buffers[" + b + "] is null");
            if (!buffer.isNative() || buffer.byteSize() == 0) {
                throw new IllegalArgumentException("buffers[" + b + "]=" + buffer + " must be native and non-empty");
            }
            long done = 0;
            while (done < buffer.byteSize()) {
                MemorySegment rest = buffer.asSlice(done);
                long want = Math.min(rest.byteSize(), HwSgl.MAX_ENTRY_LENGTH);
                long length = contiguity == null ? want : contiguity.contiguousLength(rest, want);
                MemorySegment piece = rest.asSlice(0, length);
                iovas.add(bridge.iovaMap(piece, length));
                pieces.add(piece);
                done += length;
            }
        }
    }

    private void writeImages() {
        for (int s = 0; s < images.size(); s++) {
            MemorySegment image = images.get(s);
            int first = s * ENTRIES_PER_SGL;
            int entries = (int) ((image.byteSize() - HwSgl.HEADER_BYTES) / HwSgl.ENTRY_BYTES);
            long next = s + 1 < images.size() ? imageIovas[s + 1] : 0;
            HwSgl.writeHeader(image, 0, next, pieces.size() - first, entries, entries);
            for (int k = 0; k < entries; k++) {
                HwSgl.writeEntry(
                        image,
                        0,
                        k,
                        pieceIovas[first + k],
                        pieces.get(first + k).byteSize());
            }
        }
    }

    private static void undo(
            WdMmBridge bridge,
            List<MemorySegment> pieces,
            List<Long> iovas,
            List<MemorySegment> images,
            List<Long> imageIovas) {
        for (int i = 0; i < iovas.size(); i++) {
            bridge.iovaUnmap(pieces.get(i), iovas.get(i), pieces.get(i).byteSize());
        }
        for (int i = 0; i < images.size(); i++) {
            if (i < imageIovas.size()) {
                bridge.iovaUnmap(images.get(i), imageIovas.get(i), images.get(i).byteSize());
            }
            bridge.free(images.get(i));
        }
    }

    /**
     * The length the device left in entry {@code k} after a transfer (UADK's
     * {@code wd_get_sge_datalen}); before one, the piece's length.
     *
     * @param k entry index, {@code 0 <= k < entryCount()}
     * @return bytes
     * @throws IndexOutOfBoundsException if {@code k} is out of range
     * @throws IllegalStateException after close
     */
    public long dataLength(int k) {
        checkEntry(k);
        return HwSgl.entryLength(images.get(k / ENTRIES_PER_SGL), 0, k % ENTRIES_PER_SGL);
    }

    @Override
    public long dma() {
        checkOpen();
        return imageIovas[0];
    }

    @Override
    public MemorySegment image() {
        checkOpen();
        return images.getFirst();
    }

    @Override
    public long size() {
        checkOpen();
        return size;
    }

    @Override
    public int sglCount() {
        checkOpen();
        return images.size();
    }

    @Override
    public int entryCount() {
        checkOpen();
        return pieces.size();
    }

    @Override
    public MemorySegment buffer(int k) {
        checkEntry(k);
        return pieces.get(k);
    }

    @Override
    public MemorySegment firstBuffer() {
        return buffer(0);
    }

    @Override
    public MemorySegment lastBuffer() {
        return buffer(pieces.size() - 1);
    }

    @Override
    public long copyFrom(long offset, MemorySegment source) {
        Objects.requireNonNull(source, "source is null");
        return copy(offset, source, true);
    }

    @Override
    public long copyTo(long offset, MemorySegment target) {
        Objects.requireNonNull(target, "target is null");
        return copy(offset, target, false);
    }

    private long copy(long offset, MemorySegment other, boolean in) {
        checkOpen();
        if (offset < 0 || offset >= size) {
            throw new IllegalArgumentException("offset=" + offset + " must be in [0, size=" + size + ")");
        }
        long skip = offset;
        long done = 0;
        for (int k = 0; k < pieces.size() && done < other.byteSize(); k++) {
            MemorySegment piece = pieces.get(k);
            if (skip >= piece.byteSize()) {
                skip -= piece.byteSize();
                continue;
            }
            long n = Math.min(piece.byteSize() - skip, other.byteSize() - done);
            if (in) {
                MemorySegment.copy(other, done, piece, skip, n);
            } else {
                MemorySegment.copy(piece, skip, other, done, n);
            }
            done += n;
            skip = 0;
        }
        return other.byteSize() - done;
    }

    /**
     * Unmaps the buffers and frees the SGL images through the bridge; the buffers stay the
     * caller's. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Long> iovas = new ArrayList<>();
        for (long iova : pieceIovas) {
            iovas.add(iova);
        }
        List<Long> imageList = new ArrayList<>();
        for (long iova : imageIovas) {
            imageList.add(iova);
        }
        undo(bridge, pieces, iovas, images, imageList);
    }

    private void checkEntry(int k) {
        checkOpen();
        if (k < 0 || k >= pieces.size()) {
            throw new IndexOutOfBoundsException("k=" + k + " must be in [0, entryCount=" + pieces.size() + ")");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the buffer-list SGL was closed (its images are freed)");
        }
    }

    @Override
    public String toString() {
        return "BufferListSgl[entries=" + pieces.size() + ", sgls=" + images.size() + ", size=" + size
                + (closed ? ", closed" : ", dma=" + hex(imageIovas[0])) + "]";
    }
}
