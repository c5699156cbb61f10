package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** Allocator invariants against a model: no overlap, exact accounting, every page back when all is freed. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageAllocatorProperties {

    @Property(tries = 30)
    void randomAllocFreeSequencesNeverOverlapAndReturnEveryPage(
            @ForAll @Size(min = 1, max = 40) List<@LongRange(min = 1, max = 5_000_000) Long> sizes, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        WdOptions noRetention = WdOptions.empty().with(HugepageBackendProvider.RETAIN_EMPTY, 0L);
        try (HugeBridge bridge = Hugepages.open(noRetention)) {
            TreeMap<Long, Long> model = new TreeMap<>();
            for (long size : sizes) {
                long address = bridge.allocAddress(size);
                Map.Entry<Long, Long> below = model.floorEntry(address + size - 1);
                assertTrue(
                        below == null || below.getKey() + below.getValue() <= address,
                        "allocation at 0x" + Long.toHexString(address) + " overlaps a live one");
                model.put(address, size);
                long interior = address + random.nextLong(size);
                assertEquals(Kernel.presentPhysical(interior), bridge.iovaMapAddress(interior, 1));
                if (random.nextInt(2) == 0) {
                    Long victim = model.keySet().stream()
                            .skip(random.nextInt(model.size()))
                            .findFirst()
                            .orElseThrow();
                    model.remove(victim);
                    bridge.freeAddress(victim);
                }
                assertEquals(model.size(), bridge.liveAllocations());
            }
            model.keySet().forEach(bridge::freeAddress);
            assertEquals(0, bridge.liveAllocations());
            assertEquals(0, bridge.heldPages(), "with retain-empty=0 every page goes back to the OS");
        }
    }
}
