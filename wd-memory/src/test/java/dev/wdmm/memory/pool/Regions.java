package dev.wdmm.memory.pool;

import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** Real native regions with slice tables whose DMA addresses the test chooses. */
final class Regions {
    private Regions() {}

    /**
     * Allocates {@code sum(sizes)} bytes aligned to 4 KiB and cuts them into slices of the given
     * sizes with the given DMA addresses.
     */
    static WdReservedMemory region(Arena arena, long[] sizes, long[] dmas) {
        long total = 0;
        for (long size : sizes) {
            total += size;
        }
        MemorySegment segment = arena.allocate(total, 4096);
        List<WdSlice> slices = new ArrayList<>();
        long va = segment.address();
        for (int i = 0; i < sizes.length; i++) {
            slices.add(new WdSlice(va, dmas[i], sizes[i]));
            va += sizes[i];
        }
        return new WdReservedMemory(segment, slices);
    }

    /** One contiguous slice at {@code dma}. */
    static WdReservedMemory contiguous(Arena arena, long size, long dma) {
        return region(arena, new long[] {size}, new long[] {dma});
    }
}
