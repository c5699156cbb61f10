package dev.wdmm.backend.hugepage;

import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;

/**
 * Test support: the real machine's huge page sysfs and bridges opened on it. Tests that open one
 * declare {@code @NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)}, which skips them
 * loudly, naming the fix, where the machine cannot serve them.
 */
final class Hugepages {
    static final Path SYSFS = Path.of("/sys/kernel/mm/hugepages");
    static final long MIB2 = 2L << 20;

    private Hugepages() {}

    /** Opens a bridge on the real machine with {@code options}. */
    static HugeBridge open(WdOptions options) {
        return HugepageBackendProvider.open(options, SYSFS);
    }
}
