package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code wd.mm.hugepage.numa-node}: huge pages mapped unpopulated, bound, then populated, on the
 * node by the kernel's account (numa_maps), IOVAs still the kernel's (pagemap).
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageNumaTest {
    @Test
    void hugePagesOfABridgeBoundToNodeZeroAreThereAndTranslateAsTheKernelSays() {
        try (HugeBridge bridge = Hugepages.open(WdOptions.fromText(Map.of("wd.mm.hugepage.numa-node", "0")))) {
            MemorySegment small = bridge.alloc(4096);
            MemorySegment run = bridge.alloc(3 * Hugepages.MIB2);
            for (MemorySegment segment : new MemorySegment[] {small, run}) {
                String line = Kernel.numaMapsLine(segment.address());
                assertTrue(line.contains(" bind:0 ") && line.contains("huge") && line.matches(".* N0=\\d+.*"), line);
                assertEquals(Kernel.physical(segment.address()), bridge.iovaMap(segment, 1));
            }
        }
    }
}
