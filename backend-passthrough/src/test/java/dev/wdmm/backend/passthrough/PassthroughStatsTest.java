package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdPoolStats;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.testing.LogCapture;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The passthrough bridge's accounting, its limit and its leak report. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class PassthroughStatsTest {
    private static final WdOptions LIMITED = WdOptions.fromText(Map.of(
            "wd.mm.passthrough.block-size", "4096",
            "wd.mm.passthrough.block-count", "8",
            "wd.mm.passthrough.limit-bytes", String.valueOf(3 * 4096)));

    @Test
    void figuresAreExactAndTheLimitRefusesCleanly() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(LIMITED)) {
            MemorySegment small = bridge.alloc(100);
            MemorySegment run = bridge.alloc(5000); // two blocks
            WdStats before = bridge.stats();
            assertEquals(2, before.liveAllocations(), before.toString());
            assertEquals(5100, before.liveBytes(), before.toString());
            assertEquals(2, before.totalAllocations(), before.toString());
            assertEquals(3 * 4096, before.limitBytes());
            WdPoolStats pool = before.poolStats().orElseThrow();
            assertEquals(8, pool.blocks());
            assertEquals(5, pool.freeBlocks());
            assertEquals(3.0 / 8, pool.usageRate(), 1e-9);
            assertTrue(pool.wasteRate() >= 0 && pool.wasteRate() < 1, pool.toString());
            assertTrue(before.heldBytes() >= 8 * 4096, before.toString());

            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(1));
            assertTrue(e.getMessage().contains("wd.mm.passthrough.limit-bytes=12288"), e.getMessage());
            WdStats after = bridge.stats();
            assertEquals(before.liveAllocations(), after.liveAllocations());
            assertEquals(before.liveBytes(), after.liveBytes());
            assertEquals(5, after.poolStats().orElseThrow().freeBlocks(), "the refusal took no block");
            assertEquals(1, after.allocationFailures());

            bridge.free(run);
            assertEquals(4096 * 3, bridge.alloc(2 * 4096).byteSize() + 4096, "freed blocks count again");
            bridge.free(small);
        }
    }

    @Test
    void closeWithBlocksOutstandingReleasesAndReportsThem() {
        WdMmBridge bridge = new PassthroughBackendProvider()
                .open(WdOptions.fromText(
                        Map.of("wd.mm.passthrough.block-size", "4096", "wd.mm.passthrough.block-count", "8")));
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            bridge.alloc(10);
            bridge.alloc(20);
            bridge.close();
            List<String> warnings = log.warnings();
            assertTrue(
                    warnings.stream()
                            .anyMatch(w -> w.contains(
                                    "passthrough bridge closed with allocations outstanding: count=2 bytes=30")),
                    warnings.toString());
            assertEquals(0, bridge.stats().heldBytes());
        }
    }
}
