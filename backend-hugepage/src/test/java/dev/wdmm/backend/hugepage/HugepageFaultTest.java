package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.memory.testing.Skip;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Huge pages exhausted mid-run: the pool of 2 MiB pages is shrunk to a few free ones
 * ({@code /proc/sys/vm/nr_hugepages}, root), the bridge runs out with a clear error that keeps
 * nothing, and works again once the pages are added back. The original count is restored in any case.
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 8)
class HugepageFaultTest {
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    private static final Path FREE = Hugepages.SYSFS.resolve("hugepages-2048kB/free_hugepages");

    @Test
    void exhaustedHugePagesFailClearlyKeepNothingAndRecoverWhenAddedBack() throws IOException {
        long original = read(NR_HUGEPAGES);
        long shrunk = -1;
        try (HugeBridge bridge = Hugepages.open(WdOptions.empty())) {
            bridge.free(bridge.alloc(64)); // one page held, empty
            long used = original - read(FREE);
            if (used < 1 || used + 3 >= original || read(NR_HUGEPAGES) != original) {
                Skip.because(
                        "HugepageFaultTest.exhaustedHugePagesFailClearlyKeepNothingAndRecoverWhenAddedBack",
                        "the huge page pool changed under the test (nr_hugepages=" + original + ", in use=" + used
                                + "): another process is resizing it",
                        "run the tests while no other process resizes vm.nr_hugepages");
            }
            shrunk = used + 3;
            Files.writeString(NR_HUGEPAGES, Long.toString(shrunk));
            List<java.lang.foreign.MemorySegment> runs = new ArrayList<>();
            WdAllocationException e = null;
            for (int i = 0; i < 16 && e == null; i++) {
                try {
                    runs.add(bridge.alloc(3 * Hugepages.MIB2));
                } catch (WdAllocationException refused) {
                    e = refused;
                }
            }
            assertTrue(e != null, "never refused with nr_hugepages=" + shrunk);
            assertTrue(e.getMessage().contains("sysctl vm.nr_hugepages="), e.getMessage());
            assertTrue(e.getMessage().contains("free_hugepages="), e.getMessage());
            long held = bridge.heldPages();
            WdAllocationException e2 = e;
            assertThrows(WdAllocationException.class, () -> bridge.alloc(3 * Hugepages.MIB2), e2.getMessage());
            assertEquals(held, bridge.heldPages(), "a refused allocation keeps no page");
            Files.writeString(NR_HUGEPAGES, Long.toString(original));
            shrunk = -1;
            runs.add(bridge.alloc(3 * Hugepages.MIB2));
            runs.forEach(bridge::free);
            assertEquals(0, bridge.liveAllocations());
            System.out.println("fault: huge pages exhausted after " + (runs.size() - 1) + " runs of 3 MiB with"
                    + " nr_hugepages=" + (used + 3) + ", recovered at nr_hugepages=" + original);
        } finally {
            if (shrunk != -1 && read(NR_HUGEPAGES) == shrunk) {
                Files.writeString(NR_HUGEPAGES, Long.toString(original)); // only what this test changed
            }
        }
    }

    private static long read(Path path) throws IOException {
        // not Files.readString: a sysctl file reports size 0, and a read sized by it returned "2" of "273"
        return Long.parseLong(Files.readAllLines(path).getFirst().trim());
    }
}
