package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.CheckedBridgeContractTest;
import dev.wdmm.tck.IovaOracle;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bridge contract in checked mode, run against the passthrough bridge (64 blocks of 64 KiB,
 * as {@link PassthroughContractTest}).
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 3)
class PassthroughCheckedContractTest extends CheckedBridgeContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider()
                .open(PassthroughContractTest.OPTIONS.with(WdOptions.fromText(Map.of("wd.mm.checked", "true"))));
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }

    @Test
    void quarantinedBlocksGoBackToThePoolWhenItRunsShort() {
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            held.add(bridge.alloc(100));
        }
        held.forEach(bridge::free);
        PassthroughBridge passthrough = (PassthroughBridge) bridge;
        assertEquals(64, passthrough.checks().orElseThrow().quarantinedAllocations());
        MemorySegment again = bridge.alloc(100); // the pool is empty: the quarantine is drained, then it serves
        assertEquals(0, passthrough.checks().orElseThrow().quarantinedAllocations());
        assertEquals(1, passthrough.checks().orElseThrow().liveAllocations());
        bridge.free(again);
    }
}
