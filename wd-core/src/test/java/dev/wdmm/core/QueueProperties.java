package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.core.testproviders.FakeProvider;
import dev.wdmm.core.testproviders.TwoSliceRegionSource;
import dev.wdmm.spi.WdAvailability;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class QueueProperties {

    @Property(tries = 200)
    @SuppressWarnings("restricted")
    void rangesNearTheReservedRegionMapBySliceArithmeticOrAreRefused(
            @ForAll @LongRange(min = -9000, max = 17000) long offset,
            @ForAll @LongRange(min = 1, max = 9000) long size) {
        TwoSliceRegionSource source = new TwoSliceRegionSource();
        try (WdMm mm = WdMm.builder()
                .discovery(Discovery.of(List.of(new FakeProvider(
                        "sliced", Set.of(IommuMode.PASSTHROUGH), 1, WdAvailability.available(), source))))
                .detector(() -> new Detection(Path.of("/"), IommuMode.PASSTHROUGH, List.of("test"), List.of()))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open()) {
            WdQueue queue = mm.openQueue();
            WdReservedMemory region = queue.reserveMemory(16384);
            long address = region.segment().address() + offset;
            MemorySegment range = MemorySegment.ofAddress(address).reinterpret(size);
            WdSlice inside = region.slices().stream()
                    .filter(s -> s.contains(address, size))
                    .findFirst()
                    .orElse(null);
            if (inside != null) {
                long iova = queue.iovaMap(range, size);
                assertEquals(inside.dma() + (address - inside.va()), iova);
                queue.iovaUnmap(range, iova, size);
                assertThrows(IllegalArgumentException.class, () -> queue.iovaUnmap(range, iova + 1, size));
            } else {
                assertThrows(IllegalArgumentException.class, () -> queue.iovaMap(range, size));
            }
            assertEquals(region, queue.reservedMemory().orElseThrow());
        }
    }
}
