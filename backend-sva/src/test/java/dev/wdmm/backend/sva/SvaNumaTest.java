package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code wd.mm.sva.numa-node}: the chunks are bound to the node, by the kernel's own account (numa_maps). */
class SvaNumaTest {
    @Test
    void memoryOfABridgeBoundToNodeZeroIsBoundThereByTheKernelsAccount() {
        try (WdMmBridge bridge =
                new SvaBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.sva.numa-node", "0")))) {
            MemorySegment small = bridge.alloc(4096).fill((byte) 1);
            MemorySegment large = bridge.alloc(3 << 20).fill((byte) 2);
            for (MemorySegment segment : new MemorySegment[] {small, large}) {
                String line = Kernel.numaMapsLine(segment.address());
                assertTrue(line.contains(" bind:0 ") && line.matches(".* N0=\\d+.*"), line);
            }
        }
    }

    @Test
    void aNodeThatIsNotOnlineIsRefusedAtOpen() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new SvaBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.sva.numa-node", "4095"))));
        assertTrue(e.getMessage().startsWith("wd.mm.sva.numa-node=4095 is not an online NUMA node"), e.getMessage());
    }
}
