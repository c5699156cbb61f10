package dev.wdmm.backend.noiommu;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

/** The tests' own reader of /proc/self/pagemap, independent of the code under test. */
final class KernelPagemap {
    static final long PAGE = 4096;

    private KernelPagemap() {
    }

    /** The raw entry of the page holding {@code va} (the file is little-endian). */
    static long entry(long va) {
        try (RandomAccessFile file = new RandomAccessFile("/proc/self/pagemap", "r")) {
            file.seek((va >>> 12) * 8);
            return Long.reverseBytes(file.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The physical address of {@code va}, or -1 when its page is not present. */
    static long physical(long va) {
        long entry = entry(va);
        return entry >= 0 ? -1 : ((entry & ((1L << 55) - 1)) << 12) | (va & (PAGE - 1));
    }

    /** Offset from {@code va} where physical contiguity of {@code [va, va+size)} breaks, or -1. */
    static long breakOffset(long va, long size) {
        long base = va & -PAGE;
        long first = physical(base);
        for (long page = base + PAGE; page < va + size; page += PAGE) {
            if (physical(page) != first + (page - base)) {
                return page - va;
            }
        }
        return -1;
    }

    static boolean pfnsVisible() {
        try (Arena arena = Arena.ofConfined()) {
            var page = arena.allocate(PAGE, PAGE);
            page.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            return physical(page.address()) > 0;
        }
    }

    /** {@code VmPin} of /proc/self/status: memory this process has pinned, in KiB, as the kernel counts it. */
    static long pinnedKiB() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmPin:")).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
