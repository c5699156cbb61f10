package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocationSite;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.CheckedBridgeContractTest;
import dev.wdmm.tck.IovaOracle;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bridge contract in checked mode, run against the sva bridge opened with {@code wd.mm.checked=true}. */
class SvaCheckedContractTest extends CheckedBridgeContractTest {

    /** SVA: the device uses the process's own addresses. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.identity();
    }

    @Override
    protected WdMmBridge newBridge() {
        return new SvaBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.checked", "true")));
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }

    @Test
    void sitesNameTheCallerAndAreDroppedOnFree() {
        MemorySegment segment = allocateForSite();
        List<AllocationSite> sites = ((SvaBridge) bridge).allocator().liveSites();
        assertEquals(1, sites.size());
        AllocationSite site = sites.getFirst();
        assertEquals(segment.address(), site.address());
        assertEquals(SvaBridge.class.getName(), site.frames().getFirst().getClassName());
        assertTrue(
                site.frames().stream().anyMatch(f -> f.getMethodName().equals("allocateForSite")),
                site.frames().toString());
        bridge.free(segment);
        assertEquals(List.of(), ((SvaBridge) bridge).allocator().liveSites());
        assertEquals(1, ((SvaBridge) bridge).allocator().quarantinedAllocations());
    }

    private MemorySegment allocateForSite() {
        return bridge.alloc(4096);
    }
}
