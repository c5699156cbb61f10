package dev.wdmm.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The rig's own, independent VA-to-PA reader over {@code /proc/self/pagemap} (4 KiB pages): the
 * reference the library's translations are never checked against their own code. Not thread-safe.
 */
final class RawPagemap implements AutoCloseable {
    static final long PAGE = 4096;
    private static final long PRESENT = 1L << 63;
    private static final long PFN_MASK = (1L << 55) - 1;

    private final FileChannel channel;
    private final ByteBuffer entry = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());

    private RawPagemap(FileChannel channel) {
        this.channel = channel;
    }

    static RawPagemap open() {
        try {
            return new RawPagemap(FileChannel.open(Path.of("/proc/self/pagemap"), StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The physical address of virtual address {@code va}; the page must be present with a visible PFN. */
    long physical(long va) {
        entry.clear();
        try {
            int read = channel.read(entry, (va / PAGE) * 8);
            if (read != 8) {
                throw new RigException("pagemap read of va=0x" + Long.toHexString(va) + " returned " + read + " bytes");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long word = entry.getLong(0);
        long pfn = word & PFN_MASK;
        if ((word & PRESENT) == 0 || pfn == 0) {
            throw new RigException("va=0x" + Long.toHexString(va) + " pagemap=0x" + Long.toHexString(word)
                    + " has no visible PFN: page not present, or no CAP_SYS_ADMIN");
        }
        return pfn * PAGE + (va % PAGE);
    }

    /** The physical address of {@code [va, va+size)} if physically contiguous, else an error naming where it breaks. */
    long contiguous(long va, long size) {
        long start = physical(va);
        for (long next = (va / PAGE + 1) * PAGE; next < va + size; next += PAGE) {
            if (physical(next) != start + (next - va)) {
                throw new RigException("va=0x" + Long.toHexString(va) + " size=" + size
                        + " not physically contiguous at offset=" + (next - va));
            }
        }
        return start;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
