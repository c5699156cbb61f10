package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The noiommu bridge's accounting (pinned chunks) and its limit. */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuStatsTest {
    private static final long CHUNK = 2L << 20;

    @Test
    void pinnedChunksAreCountedAndTheLimitRefusesCleanly() {
        try (WdMmBridge bridge = new NoIommuBackendProvider()
                .open(WdOptions.fromText(Map.of("wd.mm.noiommu.limit-bytes", String.valueOf(CHUNK))))) {
            bridge.alloc(4096);
            WdStats before = bridge.stats();
            assertEquals(1, before.liveAllocations(), before.toString());
            assertEquals(4096, before.liveBytes());
            assertEquals(Map.of(CHUNK, 1L), before.heldBySize(), before.toString());
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(64));
            assertTrue(e.getMessage().contains("limit-bytes=" + CHUNK), e.getMessage());
            WdStats after = bridge.stats();
            assertEquals(before.heldBytes(), after.heldBytes());
            assertEquals(1, after.allocationFailures());
            assertEquals(before.liveAllocations(), after.liveAllocations());
        }
    }
}
