package dev.wdmm.backend.passthrough;

import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdRegionSource;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdRegionSourceContractTest;

/** The kit's region-source contract over passthrough's region source (huge pages), checked against pagemap. */
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class PassthroughRegionSourceContractTest extends WdRegionSourceContractTest {
    @Override
    protected WdRegionSource newSource() {
        return new PassthroughBackendProvider()
                .regionSource(PassthroughContractTest.OPTIONS)
                .orElseThrow();
    }

    /** Physical addresses, read from pagemap by the kit. */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.pagemap();
    }
}
