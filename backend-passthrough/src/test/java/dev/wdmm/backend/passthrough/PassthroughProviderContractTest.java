package dev.wdmm.backend.passthrough;

import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdBackendProviderContractTest;

/** The kit's provider contract: name, both service declarations, availability, options, open and close. */
class PassthroughProviderContractTest extends WdBackendProviderContractTest {
    @Override
    protected WdBackendProvider provider() {
        return new PassthroughBackendProvider();
    }

    /** 64 blocks of 64 KiB: two bridges fit in the huge pages a test run reserves. */
    @Override
    protected WdOptions openOptions() {
        return PassthroughContractTest.OPTIONS;
    }
}
