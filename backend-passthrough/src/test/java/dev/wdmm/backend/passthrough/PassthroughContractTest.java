package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * wd-core's shared bridge contract, run against the passthrough bridge. The contract allocates up
 * to 64 KiB at once, so the blocks here are 64 KiB (a fixed-block bridge serves no more than its
 * block size); 64 of them cover the contract's concurrency test.
 */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 3)
class PassthroughContractTest extends WdMmBridgeContractTest {

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }

    static final WdOptions OPTIONS =
            WdOptions.fromText(Map.of("wd.mm.passthrough.block-size", "64k", "wd.mm.passthrough.block-count", "64"));

    @Override
    protected WdMmBridge newBridge() {
        return new PassthroughBackendProvider().open(OPTIONS);
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }

    @Test
    void bufferSizeIsTheBlockSize() {
        assertEquals(65_536, bridge.bufferSize().orElseThrow());
    }
}
