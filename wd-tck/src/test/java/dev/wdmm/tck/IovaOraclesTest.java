package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The oracles the kit ships, each checked against what the kernel or the test itself set up. */
class IovaOraclesTest {
    @TempDir
    Path dir;

    @Test
    void verifyFindsTheFirstByteWhereARangeStopsBeingContiguous() {
        // a made-up mapping: pages are contiguous up to 0x3000, then jump
        IovaOracle jumping = IovaOracle.of("jumping", va -> va < 0x3000 ? va + 0x10_0000 : va + 0x90_0000);
        jumping.verify("iovaMap", 0x1000, 0x2000, 0x10_1000);
        AssertionError e =
                assertThrows(AssertionError.class, () -> jumping.verify("iovaMap", 0x1000, 0x3000, 0x10_1000));
        assertEquals(
                "iovaMap va=0x1000 length=12288 iova=0x101000: the byte at va=0x3000 (offset 0x2000) would be"
                        + " reached at iova=0x103000 but the jumping oracle says iova=0x903000 (the range is not"
                        + " IOVA-contiguous there)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> jumping.verify("iovaMap", 0x1000, 0, 0));
    }

    @Test
    void theFileWindowGivesTheBasePlusTheFileOffsetOfEachAddress() throws IOException {
        Path file = dir.resolve("window.mem");
        IovaOracle window = IovaOracle.fileWindow(file, 0x40_0000_0000L);
        try (FileChannel channel = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            channel.write(java.nio.ByteBuffer.allocate(1), 5 * 4096 - 1);
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, 8192, 3 * 4096, arena);
            assertEquals(0x40_0000_2000L, window.iovaOf(mapped.address()));
            assertEquals(0x40_0000_2000L + 5000, window.iovaOf(mapped.address() + 5000));
            window.verify("iovaMap", mapped.address() + 100, 3 * 4096 - 100, 0x40_0000_2000L + 100);
            MemorySegment elsewhere = arena.allocate(64);
            AssertionError e = assertThrows(AssertionError.class, () -> window.iovaOf(elsewhere.address()));
            assertTrue(e.getMessage().startsWith("va=0x" + Long.toHexString(elsewhere.address())), e.getMessage());
        }
    }

    @Test
    void pagemapGivesEachPresentPageItsFrameAndRefusesAnAbsentOne() throws IOException {
        IovaOracle pagemap = IovaOracle.pagemap();
        Skip.unlessUsable("IovaOraclesTest.pagemapGivesEachPresentPageItsFrameAndRefusesAnAbsentOne", pagemap);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pages = arena.allocate(2 * 4096, 4096);
            pages.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            pages.set(ValueLayout.JAVA_BYTE, 4096, (byte) 1);
            long first = pagemap.iovaOf(pages.address());
            assertTrue(first != 0 && first % 4096 == 0, "pa=0x" + Long.toHexString(first));
            assertEquals(first + 123, pagemap.iovaOf(pages.address() + 123));
        }
        // a page of a mapped file the process never touched has no frame yet
        try (FileChannel channel = FileChannel.open(
                        dir.resolve("sparse.mem"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            channel.write(java.nio.ByteBuffer.allocate(1), (1 << 20) - 1);
            MemorySegment untouched = channel.map(FileChannel.MapMode.READ_ONLY, 0, 1 << 20, arena);
            long middle = untouched.address() + (1 << 19);
            AssertionError e = assertThrows(AssertionError.class, () -> pagemap.iovaOf(middle));
            assertTrue(e.getMessage().contains("is not present"), e.getMessage());
        }
    }

    @Test
    void theIdentityOracleIsTheAddressAndNoneIsNeverUsable() {
        assertEquals(0x7f00_1234L, IovaOracle.identity().iovaOf(0x7f00_1234L));
        IovaOracle none = IovaOracle.none("no table", "keep one");
        assertEquals("no table", none.unavailability().orElseThrow().reason());
        assertThrows(IllegalStateException.class, () -> none.iovaOf(0));
    }
}
