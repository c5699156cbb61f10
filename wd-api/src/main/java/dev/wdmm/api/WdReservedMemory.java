package dev.wdmm.api;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * A queue's reserved DMA region (UADK's {@code wd_reserve_memory}): one virtually contiguous
 * segment made of physically contiguous slices. Immutable and thread-safe; the bytes belong to
 * the queue and are released with it.
 *
 * @param segment the whole region
 * @param slices the contiguous pieces, in address order, covering the region without gaps
 */
public record WdReservedMemory(MemorySegment segment, List<WdSlice> slices) {
    /**
     * Checks that the slices tile the segment in order.
     *
     * @throws IllegalArgumentException if they do not; the message names the first bad slice
     */
    public WdReservedMemory {
        Objects.requireNonNull(segment, "segment is null");
        slices = List.copyOf(slices);
        long expected = segment.address();
        for (WdSlice slice : slices) {
            if (slice.va() != expected) {
                throw new IllegalArgumentException("slice=" + slice + " must start at va=0x"
                        + Long.toHexString(expected) + " (slices tile the region in order)");
            }
            expected += slice.size();
        }
        if (expected != segment.address() + segment.byteSize()) {
            throw new IllegalArgumentException("slices cover " + (expected - segment.address())
                    + " bytes but segment.byteSize()=" + segment.byteSize());
        }
    }
}
