package dev.wdmm.backend.sva;

import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.tck.WdBackendProviderContractTest;

/** The kit's provider contract: name, both service declarations, availability, options, open and close. */
class SvaProviderContractTest extends WdBackendProviderContractTest {
    @Override
    protected WdBackendProvider provider() {
        return new SvaBackendProvider();
    }
}
