package com.example.filemap;

import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.WdBackendProviderContractTest;

/** The kit's provider contract: name, both service declarations, availability, options, open and close. */
class FileMapProviderContractTest extends WdBackendProviderContractTest {
    @Override
    protected WdBackendProvider provider() {
        return new FileMapBackendProvider();
    }

    @Override
    protected WdOptions openOptions() {
        return WdOptions.empty().with(FileMapBackendProvider.SIZE, 1L << 20);
    }
}
