package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RawPagemapTest {

    @Test
    void interiorAddressKeepsItsOffsetWithinThePage() {
        if (!capSysAdmin()) {
            String line = "SKIPPED RawPagemapTest.interiorAddressKeepsItsOffsetWithinThePage: pagemap shows PFNs only"
                    + " with CAP_SYS_ADMIN, which this process lacks; fix: run ./wd-mm test as root (CI does)";
            System.out.println(line);
            assumeTrue(false, line);
        }
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

    /** Whether CAP_SYS_ADMIN is in this process's effective set ({@code CapEff} of /proc/self/status, bit 21). */
    private static boolean capSysAdmin() {
        try {
            String capEff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("CapEff:")).findFirst().orElseThrow().substring(7).trim();
            return (Long.parseUnsignedLong(capEff, 16) & (1L << 21)) != 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
