package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.memory.nativeio.LongTermPins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The rig's own pagemap reader and its reference subject raw-pagemap (pinned pages). */
class RawPagemapTest {

    @Test
    void interiorAddressKeepsItsOffsetWithinThePage() {
        skipWithoutCapSysAdmin("interiorAddressKeepsItsOffsetWithinThePage");
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
        skipWithoutCapSysAdmin("rawPagemapPinsWhatItAllocatesAndUnpinsOnFreeAndClose");
        if (LongTermPins.unavailabilityCause().isPresent()) {
            String line = "SKIPPED RawPagemapTest.rawPagemapPinsWhatItAllocatesAndUnpinsOnFreeAndClose: no long-term"
                    + " pins here: " + LongTermPins.unavailabilityCause().get()
                    + "; fix: enable io_uring for this process";
            System.out.println(line);
            assumeTrue(false, line);
        }
        long before = LongTermPins.processPinnedBytes();
        try (DmaSubject subject = RawSubjects.pagemap();
                RawPagemap pagemap = RawPagemap.open()) {
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

    private static void skipWithoutCapSysAdmin(String test) {
        if (!capSysAdmin()) {
            String line = "SKIPPED RawPagemapTest." + test + ": pagemap shows PFNs only with CAP_SYS_ADMIN, which this"
                    + " process lacks; fix: run ./wd-mm test as root (CI does)";
            System.out.println(line);
            assumeTrue(false, line);
        }
    }

    /** Whether CAP_SYS_ADMIN is in this process's effective set ({@code CapEff} of /proc/self/status, bit 21). */
    private static boolean capSysAdmin() {
        try {
            String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("CapEff:"))
                    .findFirst()
                    .orElseThrow()
                    .substring(7)
                    .trim();
            return (Long.parseUnsignedLong(capEff, 16) & (1L << 21)) != 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
