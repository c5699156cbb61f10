package dev.wdmm.backend.passthrough;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;

/** The tests' own reader of /proc/self/pagemap, independent of the code under test. */
final class ProcPagemap {
    static final long PAGE = 4096;

    private ProcPagemap() {
    }

    /** The physical address of {@code va}; fails when its page is not present. */
    static long physical(long va) {
        try (RandomAccessFile file = new RandomAccessFile("/proc/self/pagemap", "r")) {
            file.seek((va >>> 12) * 8);
            long entry = Long.reverseBytes(file.readLong());
            if (entry >= 0) {
                throw new AssertionError("page of va=0x" + Long.toHexString(va) + " is not present");
            }
            long pfn = entry & ((1L << 55) - 1);
            if (pfn == 0) {
                throw new AssertionError("pagemap hides PFNs (no CAP_SYS_ADMIN)");
            }
            return (pfn << 12) | (va & (PAGE - 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
