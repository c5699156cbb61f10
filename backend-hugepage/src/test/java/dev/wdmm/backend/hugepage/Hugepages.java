package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;

/** Test support: skip loudly without free 2 MiB huge pages; open bridges with options. */
final class Hugepages {
    static final Path SYSFS = Path.of("/sys/kernel/mm/hugepages");
    static final long MIB2 = 2L << 20;

    private Hugepages() {
    }

    /** Skips the calling test, printing why, unless {@code needed} 2 MiB huge pages are free. */
    static void assumeFree(long needed) {
        long free = HugepageSizes.freeOrUnknown(SYSFS, MIB2);
        String why = "SKIPPED hugepage test: free 2 MiB huge pages=" + free + ", need " + needed
                + "; reserve them as root: " + HugepageSizes.RESERVE_COMMAND;
        if (free < needed) {
            System.err.println(why);
        }
        assumeTrue(free >= needed, why);
    }

    /** Opens a bridge on the real machine with {@code options}, after {@link #assumeFree}. */
    static HugepageBridge open(WdOptions options) {
        assumeFree(4);
        return new HugepageBackendProvider().open(options);
    }
}
