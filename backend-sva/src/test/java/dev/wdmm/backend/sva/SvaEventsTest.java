package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.core.WdMm;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wd-core's JFR events through a real facade: the backend selected, and the periodic statistics. */
class SvaEventsTest {
    @Test
    void theSelectionAndThePeriodicStatisticsAreRecorded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("wd.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.wdmm.BackendSelected");
            recording.enable("dev.wdmm.BridgeStats").with("period", "endChunk");
            recording.start();
            try (WdMm mm = WdMm.builder()
                    .backend("sva")
                    .option("wd.mm.backend.force", "true")
                    .open()) {
                mm.bridge().alloc(100);
                mm.bridge().alloc(200);
                recording.stop(); // the periodic event is emitted as the chunk ends, while the facade is open
            }
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        RecordedEvent selected = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.wdmm.BackendSelected"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no BackendSelected in " + events.size() + " events"));
        assertEquals("sva", selected.getString("backend"));
        assertEquals("NO_IOMMU", selected.getString("mode"));
        assertTrue(selected.getString("reason").contains("sva"), selected.toString());
        RecordedEvent stats = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.wdmm.BridgeStats")
                        && "sva bridge".equals(e.getString("owner")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no BridgeStats for the sva bridge"));
        assertEquals(2, stats.getLong("liveAllocations"), stats.toString());
        assertEquals(300, stats.getLong("liveBytes"), stats.toString());
        assertEquals(4L << 20, stats.getLong("heldBytes"), "a 2 MiB chunk per size class (128 B, 256 B): " + stats);
    }
}
