package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.spi.WdArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rules {@link NativeMemory} checks before a mapping call reaches the kernel, and the fixes it
 * names when the kernel refuses one. Stateless and thread-safe.
 */
final class MmapRules {
    private static final int HUGE_MASK = 0x3f;

    private MmapRules() {}

    /**
     * The huge page size {@code flags} ask for: from its {@code MAP_HUGE_*} bits, or the system
     * default ({@code Hugepagesize} in {@code /proc/meminfo}) when they are 0.
     *
     * @param flags mmap flags containing {@link NativeMemory#MAP_HUGETLB}
     * @return bytes
     */
    static long hugePageSize(int flags) {
        int log2 = (flags >>> NativeMemory.MAP_HUGE_SHIFT) & HUGE_MASK;
        if (log2 != 0) {
            return 1L << log2;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("Hugepagesize:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/meminfo for the default huge page size", e);
        }
        return 2L << 20;
    }

    /** Refuses arguments {@link NativeMemory#mmap} must not pass to the kernel, naming value and rule. */
    static void check(long length, int prot, int flags, long pageSize) {
        WdArguments.requirePositive("length", length);
        if ((prot & ~(NativeMemory.PROT_READ | NativeMemory.PROT_WRITE)) != 0) {
            throw new IllegalArgumentException("prot=" + hex(prot) + " must combine only PROT_READ and PROT_WRITE");
        }
        int sharing = flags & (NativeMemory.MAP_SHARED | NativeMemory.MAP_PRIVATE);
        if (sharing != NativeMemory.MAP_SHARED && sharing != NativeMemory.MAP_PRIVATE) {
            throw new IllegalArgumentException(
                    "flags=" + hex(flags) + " must contain exactly one of MAP_SHARED, MAP_PRIVATE");
        }
        int known = NativeMemory.MAP_SHARED
                | NativeMemory.MAP_PRIVATE
                | NativeMemory.MAP_ANONYMOUS
                | NativeMemory.MAP_LOCKED
                | NativeMemory.MAP_NORESERVE
                | NativeMemory.MAP_POPULATE
                | NativeMemory.MAP_HUGETLB
                | (HUGE_MASK << NativeMemory.MAP_HUGE_SHIFT);
        if ((flags & ~known) != 0) {
            throw new IllegalArgumentException(
                    "flags=" + hex(flags) + " contains unsupported bits " + hex(flags & ~known));
        }
        if ((flags & NativeMemory.MAP_HUGETLB) == 0 && (flags >>> NativeMemory.MAP_HUGE_SHIFT) != 0) {
            throw new IllegalArgumentException("flags=" + hex(flags) + ": huge page size bits need MAP_HUGETLB");
        }
        long granule = (flags & NativeMemory.MAP_HUGETLB) != 0 ? hugePageSize(flags) : pageSize;
        if ((flags & NativeMemory.MAP_HUGETLB) != 0 && length % granule != 0) {
            throw new IllegalArgumentException(
                    "length=" + length + " must be a multiple of the huge page size " + granule);
        }
        if (length > Long.MAX_VALUE - granule) {
            throw new IllegalArgumentException("length=" + length + " must be <= " + (Long.MAX_VALUE - granule));
        }
    }

    /** The fix for a refused mmap, or null. */
    static String mmapFix(int errno, int flags, long length) {
        if ((flags & NativeMemory.MAP_HUGETLB) != 0 && errno == NativeErrors.ENOMEM) {
            long size = hugePageSize(flags);
            return "not enough free huge pages of " + size + " bytes for length=" + length
                    + "; reserve them, e.g. sysctl vm.nr_hugepages=N (2 MiB pages) or write N to "
                    + "/sys/kernel/mm/hugepages/hugepages-" + (size >> 10) + "kB/nr_hugepages";
        }
        if ((flags & NativeMemory.MAP_LOCKED) != 0 && (errno == NativeErrors.EAGAIN || errno == NativeErrors.EPERM)) {
            return NativeErrors.memlockFix(NativeMemory.memlockLimit());
        }
        return null;
    }

    /** The fix for a refused mlock, or null. */
    static String lockFix(int errno) {
        if (errno == NativeErrors.EAGAIN || errno == NativeErrors.EPERM) {
            return NativeErrors.memlockFix(NativeMemory.memlockLimit());
        }
        return errno == NativeErrors.ENOMEM
                ? NativeErrors.memlockFix(NativeMemory.memlockLimit())
                        + " (ENOMEM also means part of the range is not mapped)"
                : null;
    }
}
