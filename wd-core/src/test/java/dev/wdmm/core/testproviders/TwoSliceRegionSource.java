package dev.wdmm.core.testproviders;

import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.spi.WdArguments;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A test region source: native memory cut into two halves with unrelated DMA bases. */
public final class TwoSliceRegionSource implements WdRegionSource {
    /** DMA base of the first half. */
    public static final long FIRST_DMA = 0x10_0000_0000L;
    /** DMA base of the second half. */
    public static final long SECOND_DMA = 0x20_0000_0000L;

    private final Map<WdReservedMemory, Arena> live = new ConcurrentHashMap<>();

    @Override
    public WdReservedMemory reserve(long size) {
        WdArguments.requirePositive("size", size);
        long half = (size + 8191) / 8192 * 4096;
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(2 * half, 4096);
        WdReservedMemory region = new WdReservedMemory(
                segment,
                List.of(
                        new WdSlice(segment.address(), FIRST_DMA, half),
                        new WdSlice(segment.address() + half, SECOND_DMA, half)));
        live.put(region, arena);
        return region;
    }

    @Override
    public void release(WdReservedMemory region) {
        Arena arena = live.remove(region);
        if (arena == null) {
            throw new IllegalArgumentException("region=" + region + " is not a live region of this source");
        }
        arena.close();
    }

    /**
     * The DMA address this fixture gave the byte at {@code address}, or the address itself outside
     * its regions (the identity bridge's memory): the queue contract's IOVA oracle, kept by the
     * test's fixture, not by the queue under test.
     *
     * @param address a virtual address
     * @return its DMA address
     */
    public long dmaOf(long address) {
        for (WdReservedMemory region : live.keySet()) {
            for (WdSlice slice : region.slices()) {
                if (slice.contains(address, 1)) {
                    return slice.dma() + (address - slice.va());
                }
            }
        }
        return address;
    }

    /**
     * Regions reserved and not released.
     *
     * @return the count
     */
    public int liveRegions() {
        return live.size();
    }
}
