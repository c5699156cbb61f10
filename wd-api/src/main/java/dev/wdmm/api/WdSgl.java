package dev.wdmm.api;

import java.lang.foreign.MemorySegment;

/**
 * A scatter-gather list as a device walks it: C's {@code struct wd_sgl}. Its hardware image lives
 * in DMA memory at {@link #dma()}; it describes {@link #size()} bytes of data spread over
 * {@link #entryCount()} buffers. A {@link WdDtb} of type {@link WdBufferType#SGL} carries one.
 * Implementations come from SGL pools (wd-memory's {@code dev.wdmm.memory.sgl}).
 *
 * <p>A chain is valid from its allocation until it is freed; afterwards every method throws
 * {@link IllegalStateException}. Methods may be called from any thread; using a chain while
 * another thread frees it is a caller error (the data is then undefined, the JVM stays safe).
 */
public interface WdSgl {
    /**
     * DMA address of the head SGL's hardware image: what a device is given.
     *
     * @return the IOVA
     * @throws IllegalStateException after the chain was freed
     */
    long dma();

    /**
     * The head SGL's hardware image (what C's {@code wd_dtb.data} points at for an SGL buffer).
     *
     * @return the image segment
     * @throws IllegalStateException after the chain was freed
     */
    MemorySegment image();

    /**
     * Data bytes the chain describes (the sum of its entries' lengths).
     *
     * @return bytes
     * @throws IllegalStateException after the chain was freed
     */
    long size();

    /**
     * Entries in the chain.
     *
     * @return the count, {@code >= 1}
     * @throws IllegalStateException after the chain was freed
     */
    int entryCount();

    /**
     * The buffer of entry {@code k}, sized to that entry's length.
     *
     * @param k entry index, {@code 0 <= k < entryCount()}
     * @return the buffer
     * @throws IndexOutOfBoundsException if {@code k} is out of range (negative included)
     * @throws IllegalStateException after the chain was freed
     */
    MemorySegment buffer(int k);

    /**
     * Copies all of {@code source} into the chain from data offset {@code offset} on: UADK's
     * {@code wd_sgl_cp_from_pbuf}.
     *
     * @param offset where in the chain's data to start, {@code 0 <= offset < size()}
     * @param source the bytes to copy
     * @return bytes of {@code source} that did not fit (0 if all were copied)
     * @throws IllegalArgumentException if {@code offset} is out of range
     * @throws NullPointerException if {@code source} is null
     * @throws IllegalStateException after the chain was freed
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
     * @throws IllegalStateException after the chain was freed
     */
    long copyTo(long offset, MemorySegment target);
}
