package dev.wdmm.memory.sgl;

import java.lang.foreign.MemorySegment;

/**
 * A chain of one or more SGLs handed out by an {@link SglPool}: UADK's {@code struct wd_sgl}.
 * It describes {@link #size()} bytes of data in the pool's buffers, entry after entry, and its
 * hardware image (see {@link HwSgl}) lives in DMA memory at {@link #dma()}, so a device can walk
 * it.
 *
 * <p>A handle is valid from {@link SglPool#alloc} until it is freed (or merged into another
 * chain); afterwards every method throws {@link IllegalStateException}, even if the SGLs were
 * handed out again. Methods may be called from any thread; using a chain while another thread
 * frees or merges it is a caller error (the data is then undefined, the JVM stays safe).
 */
public interface Sgl {
    /**
     * DMA address of the head SGL's hardware image: what a device is given.
     *
     * @return the IOVA
     */
    long dma();

    /**
     * The head SGL's hardware image.
     *
     * @return a segment of {@link SglPoolSetup#imageBytes()} bytes
     */
    MemorySegment image();

    /**
     * Data bytes the chain describes (the sum of its entries' lengths).
     *
     * @return bytes
     */
    long size();

    /**
     * SGLs in the chain.
     *
     * @return 1 to {@value HwSgl#MAX_SGLS_PER_CHAIN}
     */
    int sglCount();

    /**
     * Entries in the chain.
     *
     * @return the count
     */
    int entryCount();

    /**
     * The buffer of entry {@code k} of the chain, sized to that entry's length.
     *
     * @param k entry index, {@code 0 <= k < entryCount()}
     * @return the buffer
     * @throws IndexOutOfBoundsException if {@code k} is out of range
     */
    MemorySegment buffer(int k);

    /**
     * The first entry's buffer.
     *
     * @return {@code buffer(0)}
     */
    MemorySegment firstBuffer();

    /**
     * The last entry's buffer.
     *
     * @return {@code buffer(entryCount() - 1)}
     */
    MemorySegment lastBuffer();

    /**
     * Copies all of {@code source} into the chain from data offset {@code offset} on: UADK's
     * {@code wd_sgl_cp_from_pbuf}.
     *
     * @param offset where in the chain's data to start, {@code 0 <= offset < size()}
     * @param source the bytes to copy
     * @return bytes of {@code source} that did not fit (0 if all were copied)
     * @throws IllegalArgumentException if {@code offset} is out of range
     * @throws NullPointerException if {@code source} is null
     */
    long copyFrom(long offset, MemorySegment source);

    /**
     * Fills all of {@code target} from the chain's data starting at {@code offset}: UADK's
     * {@code wd_sgl_cp_to_pbuf}.
     *
     * @param offset where in the chain's data to start, {@code 0 <= offset < size()}
     * @param target where to copy to
     * @return bytes of {@code target} left unfilled because the chain ended (0 if none)
     * @throws IllegalArgumentException if {@code offset} is out of range
     * @throws NullPointerException if {@code target} is null
     */
    long copyTo(long offset, MemorySegment target);
}
