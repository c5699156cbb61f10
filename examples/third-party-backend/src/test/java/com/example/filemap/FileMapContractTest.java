package com.example.filemap;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractTest;
import dev.wdmm.spi.WdOptions;

/** The shared bridge contract, run against the example backend exactly as against a built-in one. */
class FileMapContractTest extends WdMmBridgeContractTest {
    @Override
    protected WdMmBridge newBridge() {
        return new FileMapBackendProvider().open(WdOptions.empty().with(FileMapBackendProvider.SIZE, 16L << 20));
    }

    @Override
    protected long minimumAlignment() {
        return FileMapBridge.PAGE;
    }
}
