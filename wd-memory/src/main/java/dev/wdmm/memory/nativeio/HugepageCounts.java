package dev.wdmm.memory.nativeio;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The one reader of the kernel's huge page counts: the sizes it offers and, per size,
 * {@code nr_hugepages} and {@code free_hugepages} from
 * {@code /sys/kernel/mm/hugepages/hugepages-<n>kB/}. Every module that needs a count (detection,
 * the hugepage backend, the huge page region source, passthrough's availability) reads it here.
 * Stateless and thread-safe; each call reads sysfs afresh (counts change as other processes take
 * and give back pages).
 */
public final class HugepageCounts {
    /** The sysfs directory of the real machine. */
    public static final Path SYSFS = Path.of("/sys/kernel/mm/hugepages");
    /** The directory relative to a root ({@code sys/kernel/mm/hugepages}), for fixture trees. */
    public static final String RELATIVE = "sys/kernel/mm/hugepages";
    /** The command that reserves 2 MiB huge pages, for "none free" messages. */
    public static final String RESERVE_COMMAND = "sysctl vm.nr_hugepages=256";

    private static final String PREFIX = "hugepages-";
    private static final String SUFFIX = "kB";

    private HugepageCounts() {}

    /**
     * One huge page size and its counts at the time of reading.
     *
     * @param pageSize bytes per huge page
     * @param total {@code nr_hugepages}
     * @param free {@code free_hugepages}
     */
    public record Pool(long pageSize, long total, long free) {
        /**
         * The pool's sysfs directory name.
         *
         * @return e.g. {@code hugepages-2048kB}
         */
        public String directoryName() {
            return PREFIX + (pageSize >> 10) + SUFFIX;
        }

        /** Renders as {@code hugepages-2048kB: nr_hugepages=256 free_hugepages=250}. */
        @Override
        public String toString() {
            return directoryName() + ": nr_hugepages=" + total + " free_hugepages=" + free;
        }
    }

    /**
     * Every size under {@code hugepages}, sorted by page size.
     *
     * @param hugepages the {@code sys/kernel/mm/hugepages} directory (or a fixture's)
     * @return the pools; empty if the directory does not exist (no huge page support); a size
     *     directory without a count file counts 0 for it
     * @throws IllegalStateException naming the file and its content if a count or a directory name
     *     is malformed or unreadable
     */
    public static List<Pool> read(Path hugepages) {
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
        pools.sort(Comparator.comparingLong(Pool::pageSize));
        return pools;
    }

    /**
     * The pool of one page size.
     *
     * @param hugepages the sysfs directory
     * @param pageSize bytes per huge page
     * @return the pool, or empty if the kernel does not offer that size
     * @throws IllegalStateException as {@link #read}
     */
    public static Optional<Pool> find(Path hugepages, long pageSize) {
        return read(hugepages).stream()
                .filter(pool -> pool.pageSize() == pageSize)
                .findFirst();
    }

    /**
     * A pool of one page size for messages: never throws.
     *
     * @param hugepages the sysfs directory
     * @param pageSize bytes per huge page
     * @return the pool, or one with {@code total} and {@code free} of -1 (unknown) if it cannot be read
     */
    public static Pool findOrUnknown(Path hugepages, long pageSize) {
        try {
            return find(hugepages, pageSize).orElse(new Pool(pageSize, 0, 0));
        } catch (RuntimeException e) {
            return new Pool(pageSize, -1, -1);
        }
    }

    private static long count(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return parse(file, Files.readString(file).trim());
        } catch (IOException e) {
            throw new IllegalStateException("file=" + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static long parse(Path where, String text) {
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalStateException("file=" + where + " content='" + text + "' must be a count >= 0");
    }
}
