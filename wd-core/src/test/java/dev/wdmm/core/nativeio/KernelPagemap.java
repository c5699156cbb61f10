package dev.wdmm.core.nativeio;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;

/** The tests' own reader of /proc/self/pagemap, independent of the code under test. */
final class KernelPagemap {
    static final long PAGE = 4096;

    private KernelPagemap() {
    }

    /** The raw little-endian entry of the page holding {@code va}, opening the file per call. */
    static long entry(long va) {
        try (RandomAccessFile file = new RandomAccessFile("/proc/self/pagemap", "r")) {
            file.seek((va >>> 12) * 8);
            return Long.reverseBytes(file.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean present(long va) {
        return entry(va) < 0;
    }

    /** The physical address of {@code va}, or -1 when its page is not present. */
    static long physical(long va) {
        long entry = entry(va);
        if (entry >= 0) {
            return -1;
        }
        return ((entry & ((1L << 55) - 1)) << 12) | (va & (PAGE - 1));
    }

    /** Whether this process can see PFNs: a touched page of its own has a non-zero frame. */
    static boolean pfnsVisible() {
        byte[] touch = new byte[1];
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var page = arena.allocate(PAGE, PAGE);
            page.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, touch[0]);
            return physical(page.address()) > 0;
        }
    }
}
