package dev.wdmm.memory.sgl;

import dev.wdmm.api.WdSgl;
import java.lang.foreign.MemorySegment;

/**
 * A chain of one or more SGLs handed out by an {@link SglPool}: UADK's {@code struct wd_sgl}.
 * It describes {@link #size()} bytes of data in the pool's buffers, entry after entry, and its
 * hardware image (see {@link HwSgl}) lives in DMA memory at {@link #dma()}, so a device can walk
 * it.
 *
 * <p>A handle is valid from {@link SglPool#alloc} until it is freed (or merged into another
 * chain); afterwards every method throws {@link IllegalStateException}, even if the SGLs were
 * handed out again. As a {@link WdSgl} it goes into a {@link dev.wdmm.api.WdDtb} of type
 * {@code SGL} ({@code WdDtb.of(sgl)}), whose device address is {@link #dma()}. Methods may be called from any thread; using a chain while another thread
 * frees or merges it is a caller error (the data is then undefined, the JVM stays safe).
 */
public interface Sgl extends WdSgl {
    /**
     * SGLs in the chain.
     *
     * @return 1 to {@value HwSgl#MAX_SGLS_PER_CHAIN}
     */
    int sglCount();

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
}
