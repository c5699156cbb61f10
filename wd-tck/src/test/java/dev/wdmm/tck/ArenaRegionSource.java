package dev.wdmm.tck;

import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.spi.WdArguments;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A region source for the kit's own tests: one slice per region, DMA = address. The careless one
 * releases whatever it is given, unchecked, a mistake the region-source contract must report.
 */
final class ArenaRegionSource implements WdRegionSource {
    private final boolean checked;
    private final Map<WdReservedMemory, Arena> live = new ConcurrentHashMap<>();

    ArenaRegionSource(boolean checked) {
        this.checked = checked;
    }

    @Override
    public WdReservedMemory reserve(long size) {
        WdArguments.requirePositive("size", size);
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(size, 4096);
        WdReservedMemory region =
                new WdReservedMemory(segment, List.of(new WdSlice(segment.address(), segment.address(), size)));
        live.put(region, arena);
        return region;
    }

    @Override
    public void release(WdReservedMemory region) {
        Objects.requireNonNull(region, "region is null");
        Arena arena = live.remove(region);
        if (arena != null) {
            arena.close();
        } else if (checked) {
            throw new IllegalArgumentException("region va="
                    + WdArguments.hex(region.segment().address()) + " is not a live region of this source");
        }
    }
}
