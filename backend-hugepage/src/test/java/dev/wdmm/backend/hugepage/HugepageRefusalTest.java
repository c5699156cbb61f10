package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Issue 12's hugepage findings: a refused call changes nothing, and a null unmap is named. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageRefusalTest {

    @Test
    void anAllocationThatCanNeverSucceedKeepsTheCachedPages() {
        try (HugeBridge bridge = Hugepages.open(WdOptions.empty())) {
            bridge.free(bridge.alloc(64)); // leaves one empty page cached
            assertEquals(1, bridge.heldPages());
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(1L << 40));
            assertTrue(e.getMessage().contains("pages_needed=524288"), e.getMessage());
            assertEquals(1, bridge.heldPages(), "the refused allocation gave a cached page back");
            assertEquals(0, bridge.liveAllocations());
            MemorySegment again = bridge.alloc(64);
            assertEquals(1, bridge.heldPages(), "the cached page serves the next allocation");
            bridge.free(again);
        }
    }

    @Test
    void anAllocationOverTheCapKeepsTheCachedPages() {
        try (HugeBridge bridge = Hugepages.open(WdOptions.empty().with(HugepageBackendProvider.MAX_PAGES, 2L))) {
            bridge.free(bridge.alloc(64));
            assertThrows(WdAllocationException.class, () -> bridge.alloc(3 * Hugepages.MIB2));
            assertEquals(1, bridge.heldPages());
        }
    }

    @Test
    void unmapOfNullIsANamedNullPointer() {
        try (HugeBridge bridge = Hugepages.open(WdOptions.empty())) {
            NullPointerException e = assertThrows(NullPointerException.class, () -> bridge.iovaUnmap(null, 0, 64));
            assertEquals("segment is null", e.getMessage());
        }
    }
}
