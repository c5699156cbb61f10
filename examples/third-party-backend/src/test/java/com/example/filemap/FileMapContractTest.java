package com.example.filemap;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kit's bridge contract, run against the example backend exactly as against a built-in one.
 * The IOVA oracle is the file window: the kit reads from {@code /proc/self/maps} which offset of
 * the file each address is mapped from, and expects the configured base plus that offset.
 */
class FileMapContractTest extends WdMmBridgeContractTest {
    static final long BASE = 0x40_0000_0000L;

    private Path file;

    @Override
    protected WdMmBridge newBridge() {
        return new FileMapBackendProvider()
                .open(WdOptions.empty()
                        .with(FileMapBackendProvider.PATH, file().toString())
                        .with(FileMapBackendProvider.SIZE, 16L << 20)
                        .with(FileMapBackendProvider.IOVA_BASE, BASE));
    }

    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.fileWindow(file(), BASE);
    }

    @Override
    protected long minimumAlignment() {
        return FileMapBridge.PAGE;
    }

    /** One file per test (and per property), deleted when the JVM exits. */
    private Path file() {
        if (file == null) {
            try {
                file = Files.createTempFile("filemap-contract-", ".mem");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            file.toFile().deleteOnExit();
        }
        return file;
    }
}
