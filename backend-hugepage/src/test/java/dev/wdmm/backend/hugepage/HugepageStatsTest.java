package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hugepage bridge's accounting (huge pages held by size) and its limit. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageStatsTest {
    @Test
    void hugePagesHeldAreCountedAndTheLimitRefusesCleanly() {
        try (HugeBridge bridge = Hugepages.open(
                WdOptions.fromText(Map.of("wd.mm.hugepage.limit-bytes", String.valueOf(3 * Hugepages.MIB2))))) {
            bridge.alloc(100);
            bridge.alloc(Hugepages.MIB2 + 1); // a run of two huge pages
            WdStats stats = bridge.stats();
            assertEquals(2, stats.liveAllocations(), stats.toString());
            assertEquals(100 + Hugepages.MIB2 + 1, stats.liveBytes(), stats.toString());
            assertEquals(3 * Hugepages.MIB2, stats.heldBytes(), stats.toString());
            assertEquals(Map.of(Hugepages.MIB2, 1L, 2 * Hugepages.MIB2, 1L), stats.heldBySize(), stats.toString());
        }
    }

    @Test
    void aRefusalByTheLimitChangesNothing() {
        try (HugeBridge bridge = Hugepages.open(
                WdOptions.fromText(Map.of("wd.mm.hugepage.limit-bytes", String.valueOf(Hugepages.MIB2))))) {
            bridge.alloc(64);
            WdStats before = bridge.stats();
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(Hugepages.MIB2));
            assertTrue(e.getMessage().contains("limit-bytes=" + Hugepages.MIB2), e.getMessage());
            WdStats after = bridge.stats();
            assertEquals(before.heldBytes(), after.heldBytes());
            assertEquals(before.liveAllocations(), after.liveAllocations());
            assertEquals(1, after.allocationFailures());
        }
    }
}
