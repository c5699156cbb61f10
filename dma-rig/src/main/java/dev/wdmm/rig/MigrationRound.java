package dev.wdmm.rig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Provokes page migration the ways a busy Linux machine does on its own, so that a test can then
 * ask whether the physical addresses handed to a device are still true: memory fragmented by
 * another process, {@code vm.compact_memory}, huge pages allocated and released (2 MiB, and 1 GiB
 * where the machine has them), and memory blocks offlined where sysfs allows. Needs root; every
 * setting it touches is restored by {@link #close()}, also after a failure. Each step appends what
 * it did to {@link #log()}.
 *
 * <p>Used by the suite's migration test on the host and by the rig's plain guest before its DMA
 * checks. Not thread-safe.
 */
final class MigrationRound implements AutoCloseable {
    static final Path PROC_VM = Path.of("/proc/sys/vm");
    static final Path HUGEPAGES = Path.of("/sys/kernel/mm/hugepages");
    static final Path MEMORY_BLOCKS = Path.of("/sys/devices/system/memory");
    private static final long PAGE = RawPagemap.PAGE;
    private static final long MIB = 1L << 20;

    private final List<String> log = new ArrayList<>();
    private final Deque<Runnable> restore = new ArrayDeque<>();
    private final List<MemorySegment> fragments = new ArrayList<>();
    private Process fragmenter;

    /**
     * Why a round cannot run here (not root, no writable {@code vm/compact_memory}), or null.
     *
     * @return the reason, or null when a round can run
     */
    static String unavailabilityCause() {
        Path compact = PROC_VM.resolve("compact_memory");
        if (!Files.exists(compact)) {
            return "no " + compact + " (kernel without CONFIG_COMPACTION)";
        }
        if (!Files.isWritable(compact)) {
            return compact + " is not writable: a migration round needs root";
        }
        return null;
    }

    /** What each step did, in order. */
    List<String> log() {
        return List.copyOf(log);
    }

    /**
     * Lets compaction move mlocked pages ({@code vm.compact_unevictable_allowed=1}) for the round,
     * so that memory held only by {@code mlock} shows what a real pin prevents.
     */
    void allowCompactingUnevictable() {
        Path file = PROC_VM.resolve("compact_unevictable_allowed");
        if (Files.exists(file)) {
            String before = read(file);
            if (!before.equals("1")) {
                restore.push(() -> write(file, before));
                write(file, "1");
            }
            log.add("vm.compact_unevictable_allowed=1 (was " + before + ")");
        }
    }

    /**
     * Fragments free memory: {@code bytes} of anonymous pages are faulted in, then every other page
     * is released, leaving free memory in single pages between used ones; kept until {@link #close()}.
     *
     * @param bytes how much memory to spread over, a multiple of 8 KiB
     * @param childProcess in a child JVM (another process, as on a busy machine), or in this one
     */
    void fragment(long bytes, boolean childProcess) {
        long start = System.nanoTime();
        if (childProcess) {
            startFragmenter(bytes);
        } else {
            fragments.add(fragmentHere(bytes));
        }
        log.add("fragmented " + (bytes / MIB) + " MiB (every other 4 KiB page released) in "
                + (childProcess ? "a child process" : "this process") + " in " + millis(start) + " ms");
    }

    /**
     * Compacts every zone {@code times} times ({@code echo 1 > /proc/sys/vm/compact_memory}).
     *
     * @param times how often
     */
    void compact(int times) {
        long start = System.nanoTime();
        for (int i = 0; i < times; i++) {
            write(PROC_VM.resolve("compact_memory"), "1");
        }
        log.add("compact_memory x" + times + " in " + millis(start) + " ms");
    }

    /**
     * For every huge page size the kernel offers: asks for as many more huge pages as fit in
     * {@code MemAvailable} minus {@code headroom} (at most {@code maxBytes}), which makes the kernel
     * migrate movable pages out of the way, then gives them back (the count is restored).
     *
     * @param headroom bytes left to the rest of the machine
     * @param maxBytes most bytes of huge pages asked for per size
     */
    void churnHugePages(long headroom, long maxBytes) {
        if (!Files.isDirectory(HUGEPAGES)) {
            log.add("huge pages: none offered by this kernel");
            return;
        }
        for (Path pool : list(HUGEPAGES)) {
            String dir = pool.getFileName().toString(); // hugepages-2048kB
            long size = Long.parseLong(dir.replaceAll("[^0-9]", "")) * 1024;
            Path nr = pool.resolve("nr_hugepages");
            long before = Long.parseLong(read(nr));
            long extra = Math.min(maxBytes, memAvailable() - headroom) / size;
            if (extra <= 0) {
                log.add(dir + ": no room to allocate more (MemAvailable=" + memAvailable() + ")");
                continue;
            }
            restore.push(() -> write(nr, Long.toString(before)));
            long start = System.nanoTime();
            write(nr, Long.toString(before + extra));
            long got = Long.parseLong(read(nr)) - before;
            write(nr, Long.toString(before));
            restore.pop();
            log.add(dir + ": allocated " + got + " of " + extra + " more huge pages and released them in "
                    + millis(start) + " ms");
        }
    }

    /**
     * Tries to offline the memory blocks holding {@code physicalAddresses} (at most
     * {@code maxBlocks} of them, each attempt given {@code seconds}): offlining migrates every
     * movable page of the block away and fails on pinned ones. A block that went offline is
     * onlined again at once, into the zone it was in.
     *
     * @param physicalAddresses where the pages of interest are
     * @param maxBlocks most blocks tried
     * @param seconds time given to each attempt (the kernel retries migration until interrupted)
     */
    void offlineBlocksOf(Collection<Long> physicalAddresses, int maxBlocks, int seconds) {
        Path sizeFile = MEMORY_BLOCKS.resolve("block_size_bytes");
        if (!Files.exists(sizeFile)) {
            log.add("memory blocks: no " + sizeFile + " (no memory hotplug)");
            return;
        }
        long blockSize = Long.parseUnsignedLong(read(sizeFile), 16);
        TreeSet<Long> blocks = new TreeSet<>();
        physicalAddresses.forEach(pa -> blocks.add(pa / blockSize));
        int tried = 0;
        for (long block : blocks) {
            if (tried == maxBlocks) {
                break;
            }
            Path dir = MEMORY_BLOCKS.resolve("memory" + block);
            Path state = dir.resolve("state");
            if (!Files.isWritable(state) || !read(state).equals("online")) {
                continue;
            }
            tried++;
            log.add("memory" + block + ": " + offline(dir, seconds));
        }
        if (tried == 0) {
            log.add("memory blocks: none of " + blocks.size() + " could be tried (state not writable or not online)");
        }
    }

    /**
     * Gives back the memory {@link #fragment} holds (the child process ends): pages allocated
     * meanwhile in its holes are then left scattered in mostly free memory, which is what
     * compaction moves first.
     */
    void releaseFragments() {
        boolean any = fragmenter != null || !fragments.isEmpty();
        endFragmenter();
        fragments.forEach(Posix::munmap);
        fragments.clear();
        if (any) {
            log.add("released the fragmented memory");
        }
    }

    /** Ends the fragmenting process, unmaps this process's fragments, restores every setting. Idempotent. */
    @Override
    public void close() {
        RuntimeException failure = null;
        endFragmenter();
        fragments.forEach(Posix::munmap);
        fragments.clear();
        while (!restore.isEmpty()) {
            try {
                restore.pop().run();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void endFragmenter() {
        if (fragmenter != null) {
            fragmenter.destroy();
            try {
                fragmenter.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            fragmenter.destroyForcibly();
            fragmenter = null;
        }
    }

    private String offline(Path dir, int seconds) {
        Path state = dir.resolve("state");
        String zone = read(dir.resolve("valid_zones")).split("\\s+")[0];
        String online = switch (zone) {
            case "Movable" -> "online_movable";
            case "Normal" -> "online_kernel";
            default -> "online";
        };
        restore.push(() -> {
            if (read(state).equals("offline")) {
                write(state, online);
            }
        });
        Map<Path, String> pools = hugePageCounts();
        restore.push(() -> restoreHugePageCounts(pools));
        long start = System.nanoTime();
        int exit = run(List.of("timeout", Integer.toString(seconds), "sh", "-c", "echo offline > " + state));
        String after = read(state);
        if (after.equals("offline")) {
            write(state, online);
            return "offlined (zone " + zone + ") in " + millis(start) + " ms and onlined again: " + read(state)
                    + restoreHugePageCounts(pools);
        }
        return "stayed " + after + " (zone " + zone + ", attempt "
                + (exit == 124 ? "timed out after " + seconds + " s: unmovable pages" : "refused, exit " + exit) + ")"
                + restoreHugePageCounts(pools);
    }

    /** {@code nr_hugepages} of every huge page pool, by file. */
    private static Map<Path, String> hugePageCounts() {
        Map<Path, String> counts = new LinkedHashMap<>();
        if (Files.isDirectory(HUGEPAGES)) {
            list(HUGEPAGES)
                    .forEach(pool -> counts.put(pool.resolve("nr_hugepages"), read(pool.resolve("nr_hugepages"))));
        }
        return counts;
    }

    /**
     * An offlining attempt dissolves the free huge pages of the block, also when it fails: puts every
     * pool's count back (the kernel allocates them elsewhere) and says what it did, or returns "".
     */
    private static String restoreHugePageCounts(Map<Path, String> counts) {
        StringBuilder done = new StringBuilder();
        counts.forEach((nr, before) -> {
            String now = read(nr);
            if (!now.equals(before)) {
                write(nr, before);
                done.append("; ")
                        .append(nr.getParent().getFileName())
                        .append(" shrank to ")
                        .append(now)
                        .append(" (free huge pages dissolved), put back to ")
                        .append(read(nr));
            }
        });
        return done.toString();
    }

    private void startFragmenter(long bytes) {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Fragmenter.class.getName(),
                Long.toString(bytes));
        try {
            fragmenter = new ProcessBuilder(command).redirectErrorStream(true).start();
            InputStream out = fragmenter.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = out.read()) >= 0 && c != '\n'; ) {
                line.append((char) c);
            }
            if (!line.toString().equals("READY")) {
                throw new RigException("fragmenter child did not start: " + line
                        + new String(out.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fragmenter child " + command, e);
        }
    }

    /** Faults in {@code bytes} and releases every other page; returns the mapping (to unmap later). */
    static MemorySegment fragmentHere(long bytes) {
        MemorySegment mapping = Posix.mmap(
                bytes,
                Posix.PROT_READ | Posix.PROT_WRITE,
                Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_POPULATE,
                -1,
                0);
        for (long offset = PAGE; offset < bytes; offset += 2 * PAGE) {
            Posix.madvise(mapping.asSlice(offset, PAGE), Posix.MADV_DONTNEED);
        }
        return mapping;
    }

    private static int run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RigException("interrupted while running " + command);
        }
    }

    static long memAvailable() {
        for (String line : readLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new RigException("no MemAvailable in /proc/meminfo");
    }

    private static List<Path> list(Path dir) {
        try (var entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + value + " to " + file, e);
        }
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
