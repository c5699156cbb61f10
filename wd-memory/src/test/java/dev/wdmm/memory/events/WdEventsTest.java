package dev.wdmm.memory.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.ChunkAllocator;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.alloc.ChunkSource;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.memory.nativeio.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events, recorded and read back. */
class WdEventsTest {
    private static final long CHUNK = 2L << 20;

    @Test
    void chunksFailuresAndLeaksAreRecorded(@TempDir Path dir) throws Exception {
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            for (String name : List.of(
                    WdEvents.CHUNK_ACQUIRED,
                    WdEvents.CHUNK_RELEASED,
                    WdEvents.ALLOCATION_FAILURE,
                    WdEvents.LEAK_REPORTED,
                    WdEvents.POOL_EXHAUSTED,
                    WdEvents.VFIO_MAP,
                    WdEvents.VFIO_UNMAP)) {
                recording.enable(name);
            }
            recording.start();
            ChunkAllocator allocator = ChunkAllocator.open(
                    new Anonymous(), new AllocatorSettings("jfr allocator", 1, 1).withLimit(4 * CHUNK));
            allocator.allocAddress(64);
            long run = allocator.allocAddress(3L << 20);
            allocator.freeAddress(run);
            assertThrows(WdAllocationException.class, () -> allocator.allocAddress(7L << 20));
            allocator.close(); // the 64 B allocation is still live: a leak report
            WdEvents.poolExhausted("test pool", 4096, 8, 1);
            WdEvents.vfioMap("0000:00:03.0", 0x1000, 0x2000, 4096);
            WdEvents.vfioUnmap("0000:00:03.0", 0x2000, 4096);
            recording.stop();
            Path file = dir.resolve("wd.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
            Files.delete(file);
        }
        Map<String, List<RecordedEvent>> byName = events.stream()
                .collect(Collectors.groupingBy(e -> e.getEventType().getName()));
        List<RecordedEvent> acquired = byName.get(WdEvents.CHUNK_ACQUIRED);
        assertEquals(2, acquired.size(), "one class chunk, one run");
        assertTrue(
                acquired.stream().anyMatch(e -> e.getLong("bytes") == 3L << 20 && e.getLong("requested") == 3L << 20));
        assertEquals("jfr allocator", acquired.getFirst().getString("owner"));
        assertEquals(2, byName.get(WdEvents.CHUNK_RELEASED).size(), "the run when freed, the class chunk at close");
        RecordedEvent failure = byName.get(WdEvents.ALLOCATION_FAILURE).getFirst();
        assertEquals(7L << 20, failure.getLong("size"));
        assertEquals("limit", failure.getString("reason"));
        RecordedEvent leak = byName.get(WdEvents.LEAK_REPORTED).getFirst();
        assertEquals("closed-with-outstanding", leak.getString("kind"));
        assertEquals(1, leak.getLong("allocations"));
        assertEquals(64, leak.getLong("bytes"));
        assertEquals(8, byName.get(WdEvents.POOL_EXHAUSTED).getFirst().getLong("blocks"));
        assertEquals(0x2000, byName.get(WdEvents.VFIO_MAP).getFirst().getLong("iova"));
        assertEquals(4096, byName.get(WdEvents.VFIO_UNMAP).getFirst().getLong("bytes"));
        assertTrue(LeakReports.LOGGER.startsWith("dev.wdmm"));
    }

    @Test
    void aDisabledEventIsNotRecorded(@TempDir Path dir) throws Exception {
        try (Recording recording = new Recording()) {
            recording.disable(WdEvents.CHUNK_ACQUIRED);
            recording.enable(WdEvents.CHUNK_RELEASED);
            recording.start();
            WdEvents.chunkAcquired("x", 1, 2, 3);
            WdEvents.chunkReleased("x", 1, 2);
            recording.stop();
            Path file = dir.resolve("one.jfr");
            recording.dump(file);
            List<String> names = RecordingFile.readAllEvents(file).stream()
                    .map(e -> e.getEventType().getName())
                    .filter(n -> n.startsWith("dev.wdmm."))
                    .toList();
            assertEquals(List.of(WdEvents.CHUNK_RELEASED), names);
        }
    }

    /** Anonymous memory in aligned chunks, no cap. */
    private static final class Anonymous implements ChunkSource {
        @Override
        public long chunkSize() {
            return CHUNK;
        }

        @Override
        public long granule() {
            return 4096;
        }

        @Override
        public ChunkMemory acquire(long bytes, long requested) {
            MemorySegment segment = NativeMemory.mmapAligned(
                    bytes, CHUNK, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
            return new ChunkMemory() {
                @Override
                public MemorySegment segment() {
                    return segment;
                }

                @Override
                public long iova() {
                    return segment.address();
                }

                @Override
                public long translate(long address, long size) {
                    return address;
                }

                @Override
                public long contiguousLength(long address, long limit) {
                    return limit;
                }
            };
        }

        @Override
        public WdAllocationException exhausted(long requested, long bytes) {
            return new WdAllocationException(requested, "never");
        }

        @Override
        public void release(ChunkMemory chunk) {
            NativeMemory.munmap(chunk.segment());
        }

        @Override
        public String holding() {
            return "not held";
        }

        @Override
        public void close() {}
    }
}
