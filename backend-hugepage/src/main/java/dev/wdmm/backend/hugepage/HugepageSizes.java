package dev.wdmm.backend.hugepage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The huge page sizes the kernel offers and their counts, read from
 * {@code <root>/sys/kernel/mm/hugepages/hugepages-<n>kB/{nr,free}_hugepages}. Stateless.
 */
final class HugepageSizes {
    /** Relative path of the sysfs directory holding one subdirectory per huge page size. */
    static final String SYSFS = "sys/kernel/mm/hugepages";
    /** The command that reserves 2 MiB huge pages, named in every "none free" message. */
    static final String RESERVE_COMMAND = "sysctl vm.nr_hugepages=256";

    private static final String PREFIX = "hugepages-";
    private static final String SUFFIX = "kB";

    /**
     * One huge page size and its counts.
     *
     * @param size bytes per huge page
     * @param total {@code nr_hugepages}
     * @param free {@code free_hugepages}
     */
    record Pool(long size, long total, long free) {
        /** Renders as {@code hugepages-2048kB: nr=256 free=250}. */
        @Override
        public String toString() {
            return PREFIX + (size >> 10) + SUFFIX + ": nr=" + total + " free=" + free;
        }
    }

    private HugepageSizes() {}

    /**
     * Reads every size under {@code hugepages}, sorted by size.
     *
     * @param hugepages the {@code sys/kernel/mm/hugepages} directory
     * @return the pools; empty if the directory does not exist
     * @throws IllegalStateException naming the file if a count is unreadable or malformed
     */
    static List<Pool> read(Path hugepages) {
        List<Pool> pools = new ArrayList<>();
        if (!Files.isDirectory(hugepages)) {
            return pools;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(hugepages, PREFIX + "*" + SUFFIX)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                long kib = parse(dir, name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
                pools.add(
                        new Pool(kib << 10, count(dir.resolve("nr_hugepages")), count(dir.resolve("free_hugepages"))));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + hugepages + ": " + e.getMessage(), e);
        }
        pools.sort(Comparator.comparingLong(Pool::size));
        return pools;
    }

    /**
     * The pool of one size.
     *
     * @param hugepages the sysfs directory
     * @param size bytes per huge page
     * @return the pool, or empty if the kernel does not offer that size
     */
    static Optional<Pool> find(Path hugepages, long size) {
        return read(hugepages).stream().filter(pool -> pool.size() == size).findFirst();
    }

    /**
     * The current {@code free_hugepages} of one size, or -1 if it cannot be read (for messages).
     *
     * @param hugepages the sysfs directory
     * @param size bytes per huge page
     * @return the free count or -1
     */
    static long freeOrUnknown(Path hugepages, long size) {
        try {
            return count(hugepages.resolve(PREFIX + (size >> 10) + SUFFIX).resolve("free_hugepages"));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long count(Path file) {
        try {
            return parse(file, Files.readString(file).trim());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static long parse(Path where, String text) {
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new NumberFormatException("negative");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalStateException(where + " holds \"" + text + "\"; must be a count >= 0", e);
        }
    }
}
