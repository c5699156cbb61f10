package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.nativeio.HugepageCounts;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageExhaustionTest {

    @Test
    void capExhaustionNamesTheCountsAndRecoversAfterFrees() {
        try (HugeBridge bridge = Hugepages.open(WdOptions.empty().with(HugepageBackendProvider.MAX_PAGES, 2L))) {
            List<Long> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                held.add(bridge.allocAddress(1 << 20));
            }
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.allocAddress(1 << 20));
            assertEquals(1 << 20, e.requested());
            for (String part : new String[] {
                "requested=1048576",
                "held_pages=2",
                "max_pages=2",
                "alloc_failures=1",
                "free_hugepages=",
                "sysctl vm.nr_hugepages="
            }) {
                assertTrue(e.getMessage().contains(part), e.getMessage() + " lacks " + part);
            }
            assertThrows(WdAllocationException.class, () -> bridge.allocAddress(3L << 20));
            assertEquals(2, bridge.allocFailures());
            assertEquals(2, bridge.heldPages());
            assertEquals(4, bridge.liveAllocations());
            held.forEach(bridge::freeAddress);
            // recovery: the whole cap is usable again, as a run
            long run = bridge.allocAddress(4L << 20);
            assertEquals(2, bridge.heldPages());
            bridge.freeAddress(run);
            assertEquals(0, bridge.heldPages());
        }
    }

    @Test
    void kernelEnomemIsReportedWithTheFixAndChangesNothing() {
        try (HugeBridge bridge = Hugepages.open(WdOptions.empty())) {
            // one page more than the kernel has reserved in all: mmap must fail with ENOMEM
            long total = HugepageCounts.find(Hugepages.SYSFS, Hugepages.MIB2)
                    .orElseThrow()
                    .total();
            long tooMany = (total + 1) * Hugepages.MIB2;
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.allocAddress(tooMany));
            assertInstanceOf(WdNativeException.class, e.getCause());
            assertTrue(e.getMessage().contains("pages_needed=" + (total + 1)), e.getMessage());
            assertTrue(e.getMessage().contains("sysctl vm.nr_hugepages="), e.getMessage());
            assertEquals(1, bridge.allocFailures());
            assertEquals(0, bridge.heldPages());
            bridge.freeAddress(bridge.allocAddress(4096));
        }
    }
}
