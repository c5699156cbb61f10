package dev.wdmm.backend.hugepage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The tests' own reading of {@code /proc/self/pagemap}, independent of the code under test: one
 * 8-byte little-endian entry per 4 KiB page, bit 63 present, bits 0-54 the frame number.
 */
final class ProcPagemap {
    private static final long PAGE = 4096;

    private ProcPagemap() {
    }

    /** The physical address of {@code va}; fails the test if the page is not present. */
    static long physical(long va) {
        try (RandomAccessFile file = new RandomAccessFile("/proc/self/pagemap", "r")) {
            byte[] bytes = new byte[8];
            file.seek((va / PAGE) * 8);
            file.readFully(bytes);
            long entry = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (entry >= 0) {
                throw new AssertionError("va=0x" + Long.toHexString(va) + " not present, entry=0x" + Long.toHexString(entry));
            }
            long pfn = entry & ((1L << 55) - 1);
            if (pfn == 0) {
                throw new AssertionError("pagemap PFN reads 0: the test needs CAP_SYS_ADMIN");
            }
            return pfn * PAGE + (va % PAGE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Bytes from {@code va} (up to {@code limit}) that are physically contiguous, page by page. */
    static long contiguous(long va, long limit) {
        long pa = physical(va);
        long reach = PAGE - va % PAGE;
        while (reach < limit && physical(va + reach) == pa + reach) {
            reach += PAGE;
        }
        return Math.min(reach, limit);
    }
}
