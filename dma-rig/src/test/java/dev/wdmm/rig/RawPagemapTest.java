package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class RawPagemapTest {

    @Test
    void interiorAddressKeepsItsOffsetWithinThePage() {
        MemorySegment pages = RawSubjects.pinnedPages(8192);
        try (RawPagemap pagemap = RawPagemap.open()) {
            long base = pagemap.physical(pages.address());
            assertEquals(0, base % RawPagemap.PAGE);
            assertTrue(base > 0);
            assertEquals(base + 123, pagemap.physical(pages.address() + 123));
        } finally {
            Posix.munmap(pages);
        }
    }
}
