package com.example.filemap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example's own promises, with the file itself as the IOVA oracle: the byte a segment holds at
 * IOVA {@code i} is the byte the file holds at offset {@code i - iova-base}, read back through a
 * channel of the test's own.
 */
class FileMapBridgeTest {
    private static final long BASE = 0x40_0000_0000L;

    @TempDir
    Path dir;

    private WdMmBridge open(Path file, long size) {
        return new FileMapBackendProvider()
                .open(WdOptions.fromText(Map.of(
                        "wd.mm.filemap.path", file.toString(),
                        "wd.mm.filemap.size", Long.toString(size),
                        "wd.mm.filemap.iova-base", Long.toString(BASE))));
    }

    @Test
    void everyIovaAddressesTheFileOffsetThatHoldsTheSegmentsBytes() throws IOException {
        Path file = dir.resolve("window.mem");
        try (WdMmBridge bridge = open(file, 1 << 20);
                FileChannel oracle = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment a = bridge.alloc(10_000);
            MemorySegment b = bridge.alloc(100);
            for (MemorySegment segment : new MemorySegment[] {a, b}) {
                for (long offset = 0; offset < segment.byteSize(); offset += 997) {
                    byte value = (byte) (offset * 13 + segment.byteSize());
                    segment.set(ValueLayout.JAVA_BYTE, offset, value);
                    long iova = bridge.iovaMap(segment.asSlice(offset), 1);
                    assertTrue(iova >= BASE, "iova=0x" + Long.toHexString(iova));
                    ByteBuffer one = ByteBuffer.allocate(1);
                    oracle.read(one, iova - BASE);
                    assertEquals(value, one.get(0), "file byte at iova 0x" + Long.toHexString(iova));
                }
            }
        }
        assertTrue(Files.exists(file), "a configured file is the user's: close keeps it");
    }

    @Test
    void freedSpaceIsReusedAndExhaustionIsNamed() {
        try (WdMmBridge bridge = open(dir.resolve("small.mem"), 4 * 4096)) {
            MemorySegment all = bridge.alloc(4 * 4096);
            WdAllocationException full = assertThrows(WdAllocationException.class, () -> bridge.alloc(1));
            assertTrue(full.getMessage().contains("no free extent of 4096 bytes"), full.getMessage());
            bridge.free(all);
            MemorySegment again = bridge.alloc(3 * 4096);
            assertEquals(BASE, bridge.iovaMap(again, 1), "the first extent is reused, merged whole");
            assertEquals(4096, ((FileMapBridge) bridge).freeBytes());
        }
    }

    @Test
    void badOptionsAreRefusedByName() {
        FileMapBackendProvider provider = new FileMapBackendProvider();
        IllegalArgumentException typo = assertThrows(
                IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.filemap.sise", "1m"))));
        assertTrue(typo.getMessage().contains("wd.mm.filemap.sise"), typo.getMessage());
        IllegalArgumentException base = assertThrows(
                IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.filemap.iova-base", "4097"))));
        assertTrue(base.getMessage().contains("must be 4096-aligned"), base.getMessage());
    }

    @Test
    void theTemporaryFileIsDeletedOnClose() throws IOException {
        long before;
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            before = files.filter(p -> p.getFileName().toString().startsWith("wd-mm-filemap-"))
                    .count();
        }
        WdMmBridge bridge = new FileMapBackendProvider().open(WdOptions.empty());
        bridge.alloc(4096);
        bridge.close();
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertEquals(
                    before,
                    files.filter(p -> p.getFileName().toString().startsWith("wd-mm-filemap-"))
                            .count());
        }
    }

    @Test
    void discoveryFindsItAndConfigurationSelectsIt() {
        assertTrue(
                Discovery.load().names().contains("filemap"),
                Discovery.load().names().toString());
        try (WdMm mm = WdMm.builder()
                .backend("filemap")
                .option("wd.mm.filemap.path", dir.resolve("selected.mem").toString())
                .open()) {
            assertEquals("filemap", mm.selection().requireSelected());
            MemorySegment segment = mm.bridge().alloc(64);
            assertEquals(1L << 32, mm.bridge().iovaMap(segment, 64), "the default window base, file offset 0");
            assertFalse(mm.selection().toText().isEmpty());
        }
    }
}
