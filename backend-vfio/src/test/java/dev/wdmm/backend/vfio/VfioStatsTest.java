package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdStats;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The vfio bridge's accounting shows the container's kernel mappings (one per chunk). */
class VfioStatsTest {
    @Test
    void deviceMappingsFollowTheChunks() {
        try (VfioBridge bridge = RuleContainer.bridge()) {
            bridge.alloc(64);
            MemorySegment large = bridge.alloc(3L << 20);
            WdStats stats = bridge.stats();
            assertEquals(2, stats.deviceMappings(), stats.toString());
            assertEquals(2, stats.deviceMappingsTotal(), stats.toString());
            assertEquals(2, stats.liveAllocations());
            assertEquals(64 + (3L << 20), stats.liveBytes());
            bridge.free(large);
            WdStats after = bridge.stats();
            assertEquals(1, after.deviceMappings(), after.toString());
            assertEquals(2, after.deviceMappingsTotal(), after.toString());
            assertEquals(2L << 20, after.heldBytes());
        }
        // after close nothing is mapped
    }

    @Test
    void afterCloseNothingIsMappedOrHeld() {
        VfioBridge bridge = RuleContainer.bridge();
        bridge.alloc(64);
        bridge.close();
        WdStats stats = bridge.stats();
        assertEquals(0, stats.deviceMappings(), stats.toString());
        assertEquals(0, stats.heldBytes(), stats.toString());
    }
}
