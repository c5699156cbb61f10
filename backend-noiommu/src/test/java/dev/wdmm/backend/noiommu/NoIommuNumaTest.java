package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code wd.mm.noiommu.numa-node}: pinned pages on the node (numa_maps), IOVAs still the kernel's. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuNumaTest {
    @Test
    void pinnedPagesOfABridgeBoundToNodeZeroAreThereAndTranslateAsTheKernelSays() {
        try (WdMmBridge bridge =
                new NoIommuBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.noiommu.numa-node", "0")))) {
            MemorySegment segment = bridge.alloc(64 * 1024);
            String line = Kernel.numaMapsLine(segment.address());
            assertTrue(line.contains(" bind:0 ") && line.matches(".* N0=\\d+.*"), line);
            assertEquals(Kernel.physical(segment.address()), bridge.iovaMap(segment, 1));
        }
    }
}
