package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.core.nativeio.LongTermPins;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The rig's own pagemap reader and its reference subject raw-pagemap (pinned pages). */
class RawPagemapTest {

    @Test
    void interiorAddressKeepsItsOffsetWithinThePage() {
        MemorySegment pages = RawSubjects.lockedPages(8192);
        try (RawPagemap pagemap = RawPagemap.open()) {
            long base = pagemap.physical(pages.address());
            assertEquals(0, base % RawPagemap.PAGE);
            assertTrue(base > 0);
            assertEquals(base + 123, pagemap.physical(pages.address() + 123));
        } finally {
            Posix.munmap(pages);
        }
    }

    @Test
    void rawPagemapPinsWhatItAllocatesAndUnpinsOnFreeAndClose() {
        assumeTrue(LongTermPins.unavailabilityCause().isEmpty(),
                () -> "SKIPPED: no long-term pins here: " + LongTermPins.unavailabilityCause().orElse(""));
        long before = LongTermPins.processPinnedBytes();
        try (DmaSubject subject = RawSubjects.pagemap(); RawPagemap pagemap = RawPagemap.open()) {
            MemorySegment freed = subject.alloc(5000);
            assertEquals(8192, freed.byteSize());
            assertEquals(before + 8192, LongTermPins.processPinnedBytes());
            assertEquals(pagemap.physical(freed.address() + 123), subject.map(freed.asSlice(123, 10), 10));
            subject.free(freed);
            assertEquals(before, LongTermPins.processPinnedBytes());
            assertThrows(RigException.class, () -> subject.free(freed));
            subject.alloc(4096);
            assertEquals(before + 4096, LongTermPins.processPinnedBytes());
        }
        assertEquals(before, LongTermPins.processPinnedBytes());
    }
}
