package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdStats;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.testing.Gc;
import dev.wdmm.memory.testing.LogCapture;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** The sva bridge's and the facade's accounting, limit, leak reports; runs for every user. */
@Isolated // captures the shared leak logger and collects garbage
class SvaStatsTest {
    private static final long CHUNK = 2L << 20;

    @Test
    void theFacadeAndItsQueueShowTheBridgesExactFigures() {
        try (WdMm mm = WdMm.builder()
                .backend("sva")
                .option("wd.mm.backend.force", "true")
                .open()) {
            WdMmBridge bridge = mm.bridge();
            MemorySegment a = bridge.alloc(1000);
            bridge.alloc(5L << 20);
            bridge.free(a);
            bridge.alloc(64);
            WdStats stats = mm.stats();
            assertTrue(stats.accounted());
            assertEquals("sva bridge", stats.owner());
            assertEquals(2, stats.liveAllocations(), stats.toString());
            assertEquals((5L << 20) + 64, stats.liveBytes(), stats.toString());
            assertEquals(3, stats.totalAllocations(), stats.toString());
            assertEquals(Map.of(CHUNK, 2L, 5L << 20, 1L), stats.heldBySize(), stats.toString());
            assertEquals(0, stats.deviceMappings(), "sva maps by identity: no mapping is held");
            assertEquals(WdStats.NO_LIMIT, stats.limitBytes());
            WdQueue queue = mm.openQueue();
            assertEquals(stats.liveBytes(), queue.stats().liveBytes());
        }
    }

    @Test
    void theLimitOptionRefusesCleanly() {
        try (WdMm mm = WdMm.builder()
                .backend("sva")
                .option("wd.mm.backend.force", "true")
                .option(SvaBackendProvider.LIMIT_BYTES, 4L << 20)
                .open()) {
            WdMmBridge bridge = mm.bridge();
            bridge.alloc(64);
            WdStats before = mm.stats();
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(3L << 20));
            assertTrue(e.getMessage().contains("limit-bytes=" + (4L << 20)), e.getMessage());
            WdStats after = mm.stats();
            assertEquals(before.liveAllocations(), after.liveAllocations());
            assertEquals(before.heldBytes(), after.heldBytes());
            assertEquals(1, after.allocationFailures());
            assertEquals(2L << 20, bridge.alloc(2L << 20).byteSize(), "what fits under the limit is served");
        }
    }

    @Test
    void aFacadeDroppedWithoutCloseIsReportedAndItsMemoryReleased() {
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            openAllocateAndDrop();
            assertTrue(
                    Gc.until(() -> log.warnings().stream()
                            .anyMatch(w -> w.contains("sva bridge closed with allocations outstanding: count=2"))),
                    log.warnings().toString());
            assertTrue(
                    log.warnings().stream()
                            .anyMatch(w -> w.contains("WdMm facade (backend=sva) became unreachable without close()")),
                    log.warnings().toString());
        }
    }

    @Test
    void aBridgeDroppedWithoutCloseIsReportedToo() {
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            bridgeAllocateAndDrop();
            assertTrue(
                    Gc.until(() -> log.warnings().stream()
                            .anyMatch(w -> w.contains("sva bridge became unreachable without close()"))),
                    log.warnings().toString());
            assertTrue(Gc.until(() -> log.warnings().stream()
                    .anyMatch(w -> w.contains("sva bridge closed with allocations outstanding: count=1 bytes=4096"))));
        }
    }

    private static void openAllocateAndDrop() {
        WdMm mm = WdMm.builder()
                .backend("sva")
                .option("wd.mm.backend.force", "true")
                .open();
        mm.bridge().alloc(100);
        mm.bridge().alloc(200);
    }

    private static void bridgeAllocateAndDrop() {
        SvaBridge.open(false).alloc(4096);
    }
}
