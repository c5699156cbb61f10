package dev.wdmm.memory.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' own reading of the kernel, independent of the code under test: {@code /proc/self/pagemap}
 * (one 8-byte little-endian entry per 4 KiB page: bit 63 present, bits 0-54 the frame number, which
 * reads as 0 without {@code CAP_SYS_ADMIN}), the {@code VmPin}/{@code VmLck} counters of
 * {@code /proc/self/status} and the 2 MiB huge page counts of sysfs.
 */
public final class Kernel {
    /** The base page size. */
    public static final long PAGE = 4096;
    /** The 2 MiB huge page size. */
    public static final long HUGE_2M = 2L << 20;
    /** The sysfs directory of the 2 MiB huge page counts. */
    public static final Path HUGEPAGES_2M = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB");

    private static final long PFN_MASK = (1L << 55) - 1;
    private static volatile Boolean pfnsVisible;

    private Kernel() {}

    /**
     * The raw entry of the page holding {@code va}, opening the file per call.
     *
     * @param va a virtual address of this process
     * @return the entry (negative when the page is present)
     */
    public static long entry(long va) {
        try (RandomAccessFile file = new RandomAccessFile("/proc/self/pagemap", "r")) {
            file.seek((va >>> 12) * 8);
            return Long.reverseBytes(file.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the page holding {@code va} is present.
     *
     * @param va a virtual address of this process
     * @return true if present
     */
    public static boolean present(long va) {
        return entry(va) < 0;
    }

    /**
     * The physical address of {@code va}, or -1 when its page is not present (a hidden frame number
     * reads as 0, i.e. the result is just the offset within the page).
     *
     * @param va a virtual address of this process
     * @return the physical address, or -1
     */
    public static long physical(long va) {
        long entry = entry(va);
        return entry >= 0 ? -1 : ((entry & PFN_MASK) << 12) | (va & (PAGE - 1));
    }

    /**
     * The physical address of {@code va}; fails the test when its page is not present or the frame
     * number is hidden.
     *
     * @param va a virtual address of this process
     * @return the physical address
     */
    public static long presentPhysical(long va) {
        long entry = entry(va);
        if (entry >= 0) {
            throw new AssertionError(
                    "page of va=0x" + Long.toHexString(va) + " is not present, entry=0x" + Long.toHexString(entry));
        }
        long pfn = entry & PFN_MASK;
        if (pfn == 0) {
            throw new AssertionError(
                    "pagemap PFN of va=0x" + Long.toHexString(va) + " reads 0: the test needs" + " CAP_SYS_ADMIN");
        }
        return (pfn << 12) | (va & (PAGE - 1));
    }

    /**
     * Offset from {@code va} where the physical contiguity of {@code [va, va+size)} breaks, or -1
     * when the whole range is contiguous (pages read with {@link #physical}).
     *
     * @param va the start
     * @param size the length in bytes
     * @return the offset of the first discontiguous page, or -1
     */
    public static long breakOffset(long va, long size) {
        long base = va & -PAGE;
        long first = physical(base);
        for (long page = base + PAGE; page < va + size; page += PAGE) {
            if (physical(page) != first + (page - base)) {
                return page - va;
            }
        }
        return -1;
    }

    /**
     * Bytes from {@code va}, up to {@code limit}, that are physically contiguous, page by page
     * (pages read with {@link #presentPhysical}).
     *
     * @param va the start
     * @param limit the most bytes to report
     * @return the contiguous length, at most {@code limit}
     */
    public static long contiguous(long va, long limit) {
        long pa = presentPhysical(va);
        long reach = PAGE - (va & (PAGE - 1));
        while (reach < limit && presentPhysical(va + reach) == pa + reach) {
            reach += PAGE;
        }
        return Math.min(reach, limit);
    }

    /**
     * Whether this process can see frame numbers: a touched page of its own has a non-zero one
     * (needs {@code CAP_SYS_ADMIN}). Checked once per JVM.
     *
     * @return true if pagemap shows PFNs
     */
    public static boolean pfnsVisible() {
        Boolean visible = pfnsVisible;
        if (visible == null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment page = arena.allocate(PAGE, PAGE);
                page.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                visible = physical(page.address()) >= PAGE;
            }
            pfnsVisible = visible;
        }
        return visible;
    }

    /**
     * {@code VmPin} of {@code /proc/self/status}: memory this process has pinned, as the kernel counts it.
     *
     * @return KiB pinned
     */
    public static long vmPinKiB() {
        return statusKiB("VmPin");
    }

    /**
     * {@code VmLck} of {@code /proc/self/status}: memory this process has locked with mlock.
     *
     * @return KiB locked
     */
    public static long vmLckKiB() {
        return statusKiB("VmLck");
    }

    /**
     * One KiB field of {@code /proc/self/status}.
     *
     * @param field the field's name, without the colon, e.g. {@code VmPin}
     * @return its value in KiB
     */
    public static long statusKiB(String field) {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith(field + ":"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(field + " not in /proc/self/status"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code free_hugepages} of the 2 MiB size, 0 where the kernel has no such size.
     *
     * @return free 2 MiB huge pages
     */
    public static long freeHugepages() {
        return hugepageCount("free_hugepages");
    }

    /**
     * {@code nr_hugepages} of the 2 MiB size, 0 where the kernel has no such size.
     *
     * @return reserved 2 MiB huge pages, free or in use
     */
    public static long totalHugepages() {
        return hugepageCount("nr_hugepages");
    }

    private static long hugepageCount(String name) {
        Path file = HUGEPAGES_2M.resolve(name);
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kernel's NUMA account of the mapping holding {@code va}: its line of
     * {@code /proc/self/numa_maps} (policy such as {@code bind:0} or {@code default}, then page
     * counts per node such as {@code N0=512}), found through the mapping's start in
     * {@code /proc/self/maps}.
     *
     * @param va an address inside a mapping of this process
     * @return the line
     * @throws IllegalStateException if no mapping holds {@code va}
     */
    public static String numaMapsLine(long va) {
        try {
            String start = null;
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long from = Long.parseUnsignedLong(range[0], 16);
                long to = Long.parseUnsignedLong(range[1], 16);
                if (Long.compareUnsigned(va, from) >= 0 && Long.compareUnsigned(va, to) < 0) {
                    start = range[0];
                    break;
                }
            }
            if (start == null) {
                throw new IllegalStateException(
                        "va=0x" + Long.toHexString(va) + " is in no mapping of /proc/self/maps");
            }
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/numa_maps"))) {
                if (line.startsWith(start + " ")) {
                    return line;
                }
            }
            throw new IllegalStateException("mapping " + start + " is not in /proc/self/numa_maps");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
