package dev.wdmm.memory.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Gc;
import dev.wdmm.memory.testing.LogCapture;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** Leaks are never silent: close reports what was outstanding; an unreachable owner is reported and released. */
@Isolated // sets the leak-detection system property and captures a shared logger
class LeakReportsTest {
    private static final long CHUNK = 2L << 20;

    @Test
    void closeWithAllocationsOutstandingReleasesEverythingAndReportsCountAndBytes() {
        TestSource source = new TestSource(CHUNK, 64, 0);
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            ChunkAllocator allocator = ChunkAllocator.open(source, new AllocatorSettings("leaky allocator", 1, 2));
            allocator.allocAddress(100);
            allocator.allocAddress(3L << 20);
            allocator.close();
            assertEquals(0, source.held.get(), "every chunk went back");
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(
                    warnings.getFirst()
                            .contains("leaky allocator closed with allocations outstanding: count=2 bytes="
                                    + (100 + (3L << 20))),
                    warnings.getFirst());
            allocator.close();
            assertEquals(1, log.warnings().size(), "a second close reports nothing");
        }
    }

    @Test
    void closeWithNothingOutstandingReportsNothing() {
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            ChunkAllocator allocator =
                    ChunkAllocator.open(new TestSource(CHUNK, 64, 0), new AllocatorSettings("tidy allocator", 1, 2));
            allocator.freeAddress(allocator.allocAddress(100));
            allocator.close();
            assertEquals(List.of(), log.warnings());
        }
    }

    @Test
    void checkedModeReportsTheSitesOfWhatWasOutstanding() {
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            ChunkAllocator allocator = ChunkAllocator.open(
                    new TestSource(CHUNK, 64, 0),
                    new AllocatorSettings("checked allocator", 1, 2).withChecked(CheckedMode.ON));
            allocator.allocAddress(48);
            allocator.freeAddress(allocator.allocAddress(64)); // quarantined: not a leak
            allocator.close();
            List<String> warnings = log.warnings();
            assertEquals(1, warnings.size(), warnings.toString());
            String report = warnings.getFirst();
            assertTrue(report.contains("count=1 bytes=48"), report);
            assertTrue(report.contains("size=48") && report.contains("LeakReportsTest"), report);
        }
    }

    @Test
    void anUnreachableOwnerIsReportedAndReleased() {
        AtomicInteger released = new AtomicInteger();
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            watchAndDrop("dropped bridge", released);
            assertTrue(Gc.until(() -> released.get() == 1), "the cleaner released it");
            assertTrue(
                    log.warnings().stream()
                            .anyMatch(w -> w.contains("dropped bridge became unreachable without close()")),
                    log.warnings().toString());
        }
    }

    @Test
    void paranoidRecordsWhereTheOwnerWasOpened() {
        AtomicInteger released = new AtomicInteger();
        System.setProperty(LeakReports.PROPERTY, "paranoid");
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            watchAndDrop("paranoid bridge", released);
            assertTrue(Gc.until(() -> released.get() == 1), "the cleaner released it");
            assertTrue(
                    log.warnings().stream()
                            .anyMatch(w -> w.contains("paranoid bridge became unreachable")
                                    && w.contains("opened here")
                                    && w.contains("watchAndDrop")),
                    log.warnings().toString());
        } finally {
            System.clearProperty(LeakReports.PROPERTY);
        }
    }

    @Test
    void offWatchesNothingButCloseStillReleases() {
        AtomicInteger released = new AtomicInteger();
        System.setProperty(LeakReports.PROPERTY, "off");
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            LeakReports.Watch watch = LeakReports.watch(new Object(), "quiet bridge", released::incrementAndGet);
            watch.close();
            watch.close();
            assertEquals(1, released.get());
            LeakReports.closed("quiet bridge", 3, 300, List.of());
            assertEquals(List.of(), log.warnings());
        } finally {
            System.clearProperty(LeakReports.PROPERTY);
        }
    }

    @Test
    void anExplicitCloseIsNotReportedAndReleasesOnce() {
        AtomicInteger released = new AtomicInteger();
        try (LogCapture log = LogCapture.of(LeakReports.LOGGER)) {
            Object resource = new Object();
            LeakReports.Watch watch = LeakReports.watch(resource, "closed bridge", released::incrementAndGet);
            assertFalse(watch.isReleased());
            watch.close();
            watch.close();
            assertTrue(watch.isReleased());
            assertEquals(1, released.get());
            assertEquals(List.of(), log.warnings());
        }
    }

    @Test
    void aBadLevelIsRefusedNamingTheValues() {
        System.setProperty(LeakReports.PROPERTY, "loud");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, LeakReports::detection);
            assertTrue(e.getMessage().contains("wd.mm.leak-detection=loud must be one of off, simple, paranoid"));
        } finally {
            System.clearProperty(LeakReports.PROPERTY);
        }
    }

    /** Watches an object that is unreachable once this returns. */
    private static void watchAndDrop(String owner, AtomicInteger released) {
        LeakReports.watch(new Object(), owner, released::incrementAndGet);
    }
}
