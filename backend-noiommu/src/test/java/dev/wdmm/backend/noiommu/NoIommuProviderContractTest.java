package dev.wdmm.backend.noiommu;

import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.tck.WdBackendProviderContractTest;

/** The kit's provider contract: name, both service declarations, availability, options, open and close. */
class NoIommuProviderContractTest extends WdBackendProviderContractTest {
    @Override
    protected WdBackendProvider provider() {
        return new NoIommuBackendProvider();
    }
}
