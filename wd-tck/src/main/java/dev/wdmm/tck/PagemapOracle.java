package dev.wdmm.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Physical addresses from {@code /proc/self/pagemap}, read by the kit itself: one 64-bit entry per
 * 4 KiB virtual page, bit 63 "present", bits 0-54 the page frame number (0 without
 * {@code CAP_SYS_ADMIN}). Stateless: the file is opened per question.
 */
final class PagemapOracle implements IovaOracle {
    static final Path PAGEMAP = Path.of("/proc/self/pagemap");
    private static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    private static final long PFN_MASK = (1L << 55) - 1;

    @Override
    public String name() {
        return "pagemap";
    }

    @Override
    public Optional<Unavailable> unavailability() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(PAGE, PAGE);
            page.set(ValueLayout.JAVA_BYTE, 0, (byte) 1); // present now, with a frame of its own
            long entry = entry(page.address());
            if ((entry & PRESENT) != 0 && (entry & PFN_MASK) != 0) {
                return Optional.empty();
            }
            return Optional.of(new Unavailable(
                    PAGEMAP + " shows frame number 0 for a present page (entry=" + Hex.of(entry)
                            + "): this process lacks CAP_SYS_ADMIN",
                    "run the tests as root, or grant the JDK's java CAP_SYS_ADMIN"
                            + " (setcap cap_sys_admin+ep \"$JAVA_HOME/bin/java\")"));
        } catch (UncheckedIOException e) {
            return Optional.of(
                    new Unavailable("cannot read " + PAGEMAP + ": " + e.getCause(), "run on Linux with /proc mounted"));
        }
    }

    @Override
    public long iovaOf(long address) {
        long entry = entry(address);
        if ((entry & PRESENT) == 0) {
            throw new AssertionError("va=" + Hex.of(address) + " is not present in " + PAGEMAP + " (entry="
                    + Hex.of(entry) + "): an IOVA was handed out for memory that is not held in place");
        }
        return (entry & PFN_MASK) * PAGE + (address & (PAGE - 1));
    }

    private static long entry(long address) {
        ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder());
        long position = Long.divideUnsigned(address, PAGE) * Long.BYTES;
        try (FileChannel channel = FileChannel.open(PAGEMAP, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new IOException(
                            "end of file at offset " + Hex.of(position) + " (va=" + Hex.of(address) + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + PAGEMAP + " for va=" + Hex.of(address), e);
        }
        return buffer.getLong(0);
    }
}
