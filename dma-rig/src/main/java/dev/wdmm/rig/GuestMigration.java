package dev.wdmm.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The migration round of the rig's plain guest, run after every physical-address subject has
 * handed out its held buffers ({@link HeldBuffers}) and before the device checks them: a
 * {@link MigrationRound} sized for the guest (2 GiB, TCG, a 512 MiB heap) fragments memory in this
 * process, an mlock-only control mapping is faulted in (into the fragments' holes) and its frames
 * recorded with the rig's own pagemap reader, then the round releases the fragments (leaving the
 * control scattered in free memory), compacts, churns huge pages and tries to offline a few memory blocks
 * under the control and under the held buffers; every setting is restored before returning, and
 * checked: a setting left changed fails the round.
 *
 * <p>Prints each step as {@code MIGRATION <line>}, then {@code MIGRATION control-dma ...} (a moved
 * control page read by the device through its pre-round address must mismatch: {@link StaleRead})
 * and ends with {@code MIGRATION control pages=<n> moved=<m>}: how many control pages the round
 * moved, i.e. whether it provoked what a real pin must withstand (rig/verdict.sh reads that line).
 */
final class GuestMigration {
    private static final long MIB = 1L << 20;
    private static final long PAGE = RawPagemap.PAGE;
    /** The mlock-only control: pages that nothing but mlock holds, so the round may move them. */
    static final long CONTROL_BYTES = 32 * MIB;
    /** Fragmented in this process (half of it released again, page by page). */
    static final long FRAGMENT_BYTES = 256 * MIB;
    /** Left to the guest when huge pages are churned, and the most asked for. */
    static final long HUGE_HEADROOM = 384 * MIB;

    static final long HUGE_MAX = 768 * MIB;
    /**
     * Memory blocks tried per target group (blocks of the control that hold no held buffer, then
     * blocks of the held buffers), and seconds per attempt.
     */
    static final int OFFLINE_BLOCKS = 2;

    static final int OFFLINE_SECONDS = 3;

    private GuestMigration() {}

    /**
     * Runs the round with the held buffers' device addresses (physical) as offlining targets, then
     * has {@code edu} read a moved control page through its current and its pre-round address.
     *
     * @param heldAddresses physical addresses of the held buffers
     * @param edu the device, for the stale-address read
     * @return control pages moved by the round
     * @throws RigException if the round cannot run here (not root, no compaction), left a setting
     *     changed, or a moved control page read through its pre-round address still gave its bytes
     */
    static long run(List<Long> heldAddresses, EduDevice edu) {
        String cause = MigrationRound.unavailabilityCause();
        if (cause != null) {
            throw new RigException("migration round unavailable: " + cause);
        }
        long start = System.nanoTime();
        String settingsBefore = settings();
        MemorySegment control = null;
        long[] before;
        long[] after;
        StaleRead stale;
        try (RawPagemap pagemap = RawPagemap.open();
                MigrationRound round = new MigrationRound()) {
            // fragment first: the control's pages fill the holes, and once the fragments are released they
            // sit scattered in free memory, where compaction moves pages first
            round.allowCompactingUnevictable();
            round.fragment(FRAGMENT_BYTES, false);
            control = Posix.mmap(
                    CONTROL_BYTES,
                    Posix.PROT_READ | Posix.PROT_WRITE,
                    Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_POPULATE,
                    -1,
                    0);
            Posix.mlock(control);
            before = frames(pagemap, control);
            try {
                provoke(round, pagemap, control, heldAddresses);
            } finally {
                round.log().forEach(line -> System.out.println("MIGRATION " + line));
            }
            after = frames(pagemap, control);
            stale = StaleRead.of(edu, pagemap, control, before, after);
        } finally {
            if (control != null) {
                Posix.munmap(control);
            }
        }
        String settingsAfter = settings();
        System.out.println("MIGRATION settings "
                + (settingsAfter.equals(settingsBefore)
                        ? "restored: " + settingsAfter
                        : "NOT restored: before " + settingsBefore + ", after " + settingsAfter)
                + " (round took "
                + (System.nanoTime() - start) / 1_000_000 + " ms)");
        System.out.println("MIGRATION control-dma " + stale.text());
        long moved = moved(after, before);
        System.out.println("MIGRATION control pages=" + before.length + " moved=" + moved);
        if (!settingsAfter.equals(settingsBefore)) {
            throw new RigException(
                    "the migration round left settings changed: before " + settingsBefore + ", after " + settingsAfter);
        }
        if (!stale.told()) {
            throw new RigException("control-dma: " + stale.text());
        }
        return moved;
    }

    private static void provoke(MigrationRound round, RawPagemap pagemap, MemorySegment control, List<Long> held) {
        round.releaseFragments();
        round.compact(3);
        round.churnHugePages(HUGE_HEADROOM, HUGE_MAX);
        round.compact(1);
        round.offlineBlocksOf(outsideBlocksOf(frames(pagemap, control), held), OFFLINE_BLOCKS, OFFLINE_SECONDS);
        round.offlineBlocksOf(held, OFFLINE_BLOCKS, OFFLINE_SECONDS);
    }

    /**
     * The control's physical addresses that lie in memory blocks holding no held buffer, so that
     * offlining them can succeed and move control pages; all of them when there are none such (an
     * attempt that fails on pinned pages still migrates the movable ones first) or when the kernel
     * has no memory blocks (the round then says so).
     */
    private static List<Long> outsideBlocksOf(long[] control, List<Long> held) {
        Path sizeFile = MigrationRound.MEMORY_BLOCKS.resolve("block_size_bytes");
        long blockSize = Files.exists(sizeFile) ? Long.parseUnsignedLong(read(sizeFile), 16) : 0;
        Set<Long> heldBlocks = new HashSet<>();
        held.forEach(pa -> heldBlocks.add(blockSize == 0 ? 0 : pa / blockSize));
        List<Long> targets = new ArrayList<>();
        for (long pa : control) {
            if (blockSize == 0 || !heldBlocks.contains(pa / blockSize)) {
                targets.add(pa);
            }
        }
        if (targets.isEmpty()) {
            for (long pa : control) {
                targets.add(pa);
            }
        }
        return targets;
    }

    private static long[] frames(RawPagemap pagemap, MemorySegment segment) {
        long[] frames = new long[(int) (segment.byteSize() / PAGE)];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = pagemap.physical(segment.address() + i * PAGE);
        }
        return frames;
    }

    private static long moved(long[] after, long[] before) {
        long moved = 0;
        for (int i = 0; i < before.length; i++) {
            if (after[i] != before[i]) {
                moved++;
            }
        }
        return moved;
    }

    /**
     * The settings a round touches: {@code vm.compact_unevictable_allowed}, every huge page pool's
     * size, and how many memory blocks are offline.
     */
    private static String settings() {
        StringBuilder text = new StringBuilder("vm.compact_unevictable_allowed=")
                .append(read(MigrationRound.PROC_VM.resolve("compact_unevictable_allowed")));
        if (Files.isDirectory(MigrationRound.HUGEPAGES)) {
            try (var pools = Files.list(MigrationRound.HUGEPAGES)) {
                pools.sorted()
                        .forEach(pool -> text.append(' ')
                                .append(pool.getFileName())
                                .append("/nr_hugepages=")
                                .append(read(pool.resolve("nr_hugepages"))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (Files.isDirectory(MigrationRound.MEMORY_BLOCKS)) {
            try (var blocks = Files.list(MigrationRound.MEMORY_BLOCKS)) {
                text.append(" offline-memory-blocks=")
                        .append(blocks.map(b -> b.resolve("state"))
                                .filter(Files::exists)
                                .filter(state -> read(state).equals("offline"))
                                .count());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return text.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The round's own negative control, by DMA: the device reads the first 256 bytes of a moved
     * control page (freshly filled) through its current physical address, which must give them, and
     * through the address it had before the round, which must not: that is what a held buffer
     * whose pages moved would show. Both reads land at the current address of another control
     * page; nothing is written through a stale address.
     *
     * @param text what was read, for the MIGRATION line
     * @param told whether the stale address was told apart (true also when no page moved)
     */
    record StaleRead(String text, boolean told) {
        private static final int BYTES = 256;

        static StaleRead of(EduDevice edu, RawPagemap pagemap, MemorySegment control, long[] before, long[] after) {
            int page = 0;
            while (page < before.length && before[page] == after[page]) {
                page++;
            }
            if (page == before.length) {
                return new StaleRead("no control page moved: no stale address to read", true);
            }
            MemorySegment source = control.asSlice(page * PAGE, BYTES);
            MemorySegment target = control.asSlice(((page + 1) % before.length) * PAGE, BYTES);
            boolean current = read(edu, source, after[page], target, pagemap);
            boolean stale = read(edu, source, before[page], target, pagemap);
            String text = "page " + page + " moved 0x" + Long.toHexString(before[page]) + " -> 0x"
                    + Long.toHexString(after[page]) + ": current address " + (current ? "match" : "MISMATCH")
                    + ", pre-round address " + (stale ? "MATCH" : "mismatch");
            return new StaleRead(
                    text + (current && !stale ? " (as required)" : " (the rig cannot tell a moved page)"),
                    current && !stale);
        }

        /** Whether the device, reading {@code source}'s bytes at {@code address}, delivers them to {@code target}. */
        private static boolean read(
                EduDevice edu, MemorySegment source, long address, MemorySegment target, RawPagemap pagemap) {
            RoundTrip.fill(source, address);
            RoundTrip.fill(target, ~address);
            edu.toDevice(address, 0, BYTES);
            edu.toRam(0, pagemap.physical(target.address()), BYTES);
            return source.mismatch(target) < 0;
        }
    }
}
