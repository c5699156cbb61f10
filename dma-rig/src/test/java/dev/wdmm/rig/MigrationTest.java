package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.core.WdMm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongBiFunction;
import org.junit.jupiter.api.Test;

/**
 * Every physical address a backend hands out stays true while the kernel moves memory: with live
 * allocations of every physical-address backend (noiommu, hugepage, passthrough) and a queue's
 * reserved memory, taken while a child process holds memory fragmented (so that they fill its
 * holes and are left scattered when it exits), a {@link MigrationRound} compacts,
 * allocates and releases huge pages and tries to offline the memory blocks that hold them; then
 * every page's IOVA, asked of the library again, is compared with pagemap read by the rig's own
 * reader ({@link RawPagemap}): none may differ. A negative control in the same round (memory held
 * only by {@code mlock}) must show pages moving, or the test fails saying it provoked nothing.
 *
 * <p>Needs root (sysctls, memory blocks, PFNs in pagemap) and huge pages ({@code ./wd-mm test}
 * reserves them); elsewhere it is skipped, printing the reason and the fix.
 */
class MigrationTest {
    private static final long PAGE = RawPagemap.PAGE;
    private static final long MIB = 1L << 20;
    private static final long CONTROL_BYTES = 64 * MIB;
    /** Rounds provoked at most, until the control shows pages moving. */
    private static final int ROUNDS = 3;
    /** Free 2 MiB huge pages the subjects take (about 35), with a margin. */
    private static final long HUGEPAGES_NEEDED = 48;

    /** One page (or smaller allocation) whose IOVA is checked, and how to ask the library for it now. */
    private record Checked(
            String subject, MemorySegment range, long iovaBefore, ToLongBiFunction<MemorySegment, Long> map) {
        long iovaNow() {
            return map.applyAsLong(range, range.byteSize());
        }
    }

    @Test
    void physicalAddressesStayTrueWhileTheKernelMovesMemory() {
        String cause = MigrationRound.unavailabilityCause() != null
                ? MigrationRound.unavailabilityCause()
                : pfnsVisible() ? null : "pagemap hides PFNs (needs CAP_SYS_ADMIN)";
        String fix = "run ./wd-mm test as root (CI does)";
        long freeHugepages = freeHugepages();
        if (cause == null && freeHugepages < HUGEPAGES_NEEDED) {
            cause = "the hugepage, passthrough and queue subjects need " + HUGEPAGES_NEEDED
                    + " free 2 MiB huge pages, free_hugepages=" + freeHugepages;
            fix = "reserve them as root: echo 256 > /proc/sys/vm/nr_hugepages (./wd-mm test does it as root)";
        }
        if (cause != null) {
            String line = "SKIPPED MigrationTest.physicalAddressesStayTrueWhileTheKernelMovesMemory: " + cause
                    + "; fix: " + fix;
            System.out.println(line);
            assumeTrue(false, line);
        }
        List<Checked> checked = new ArrayList<>();
        List<AutoCloseable> open = new ArrayList<>();
        List<MemorySegment> control = new ArrayList<>();
        List<long[]> controlBefore = new ArrayList<>();
        try (RawPagemap pagemap = RawPagemap.open();
                MigrationRound round = new MigrationRound()) {
            // fragment first: the subjects' and the control's pages fill the holes, and once the fragments
            // are released they sit scattered in free memory, where compaction moves pages first
            round.allowCompactingUnevictable();
            round.fragment(fragmentBytes(), true);
            // the control's pieces are taken between the subjects', so that they share the same regions of memory
            addControl(pagemap, control, controlBefore);
            noiommu(open, checked);
            addControl(pagemap, control, controlBefore);
            hugepage(open, checked);
            passthrough(open, checked);
            addControl(pagemap, control, controlBefore);
            queue(open, checked);
            addControl(pagemap, control, controlBefore);
            long controlMoved = 0;
            for (int attempt = 1; attempt <= ROUNDS && controlMoved == 0; attempt++) {
                if (attempt > 1) {
                    // nothing moved (a loaded machine): fragment again, place more control pages, provoke again
                    round.fragment(fragmentBytes(), true);
                    addControl(pagemap, control, controlBefore);
                    addControl(pagemap, control, controlBefore);
                }
                provoke(round, pagemap, control, checked);
                controlMoved = moved(pagemap, control, controlBefore);
                System.out.println("migration test: round " + attempt + ": control (mlock only) pages="
                        + control.size() * (CONTROL_BYTES / 4 / PAGE) + " moved=" + controlMoved);
            }
            round.log().forEach(line -> System.out.println("migration round: " + line));
            Map<String, long[]> bySubject = verify(pagemap, checked);
            bySubject.forEach((subject, counts) -> System.out.println("migration test: " + subject + " pages="
                    + counts[0] + " iova-differs-from-pagemap=" + counts[1] + " iova-changed=" + counts[2]));
            assertTrue(
                    controlMoved > 0,
                    "the rounds provoked nothing: 0 mlocked control pages moved in " + ROUNDS
                            + " rounds, so this run cannot tell a pinned page from one that is not; " + round.log());
            long moved = controlMoved;
            bySubject.forEach((subject, counts) -> {
                assertTrue(counts[0] > 0, subject + ": no page checked");
                assertEquals(
                        0,
                        counts[1],
                        subject + ": IOVAs no longer equal the physical address pagemap gives"
                                + " after the kernel moved memory (control moved " + moved + ")");
                assertEquals(0, counts[2], subject + ": the library changed IOVAs it had handed out");
            });
        } finally {
            control.forEach(Posix::munmap);
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception e) {
                    throw new AssertionError("closing " + open.get(i), e);
                }
            }
        }
    }

    /** Releases the fragments, compacts, churns huge pages and tries to offline the blocks holding the pages. */
    private static void provoke(
            MigrationRound round, RawPagemap pagemap, List<MemorySegment> control, List<Checked> checked) {
        round.releaseFragments();
        round.compact(3);
        round.churnHugePages(2048 * MIB, Long.MAX_VALUE);
        round.compact(1);
        List<Long> targets = new ArrayList<>();
        for (MemorySegment piece : control) {
            targets.add(pagemap.physical(piece.address()));
        }
        for (int i = 0; i < checked.size(); i += Math.max(1, checked.size() / 4)) {
            targets.add(pagemap.physical(checked.get(i).range().address()));
        }
        round.offlineBlocksOf(targets, 4, 5);
    }

    private static long fragmentBytes() {
        return Math.min(2048 * MIB, MigrationRound.memAvailable() / 4) & -(2 * PAGE);
    }

    private static void addControl(RawPagemap pagemap, List<MemorySegment> control, List<long[]> before) {
        MemorySegment piece = controlMemory();
        control.add(piece);
        before.add(frames(pagemap, piece));
    }

    /** noiommu: 4 KiB, 64 KiB and 1 MiB allocations, 40 MiB in all, every page checked. */
    private static void noiommu(List<AutoCloseable> open, List<Checked> checked) {
        WdMm mm = WdMm.builder().backend("noiommu").open();
        open.add(mm);
        WdMmBridge bridge = mm.bridge();
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            segments.add(bridge.alloc(PAGE));
        }
        for (int i = 0; i < 128; i++) {
            segments.add(bridge.alloc(64 * 1024));
        }
        for (int i = 0; i < 28; i++) {
            segments.add(bridge.alloc(MIB));
        }
        segments.forEach(s -> pages("noiommu", s, bridge::iovaMap, checked));
    }

    /** hugepage: small and large allocations over 2 MiB pages, 20 MiB in all. */
    private static void hugepage(List<AutoCloseable> open, List<Checked> checked) {
        WdMm mm = WdMm.builder().backend("hugepage").open();
        open.add(mm);
        WdMmBridge bridge = mm.bridge();
        for (long size : new long[] {64, 4096, 65536, MIB, 3 * MIB, 8 * MIB}) {
            for (int i = 0; i < 2; i++) {
                pages("hugepage", bridge.alloc(size), bridge::iovaMap, checked);
            }
        }
    }

    /** passthrough: every block of a 64 x 64 KiB pool. */
    private static void passthrough(List<AutoCloseable> open, List<Checked> checked) {
        WdMm mm = WdMm.builder()
                .backend("passthrough")
                .option("wd.mm.passthrough.block-size", "65536")
                .option("wd.mm.passthrough.block-count", "64")
                .open();
        open.add(mm);
        WdMmBridge bridge = mm.bridge();
        for (int i = 0; i < 64; i++) {
            pages("passthrough", bridge.alloc(65536), bridge::iovaMap, checked);
        }
    }

    /** A queue's reserved memory (8 MiB of huge pages), every 4 KiB page through {@link WdQueue#iovaMap}. */
    private static void queue(List<AutoCloseable> open, List<Checked> checked) {
        WdMm mm = WdMm.builder().backend("passthrough").open();
        open.add(mm);
        WdQueue queue = mm.openQueue();
        WdReservedMemory region = queue.reserveMemory(8 * MIB);
        pages("queue-reserved", region.segment(), queue::iovaMap, checked);
    }

    /** A quarter of the memory held only by mlock: what a pin prevents must happen to it. */
    private static MemorySegment controlMemory() {
        MemorySegment control = Posix.mmap(
                CONTROL_BYTES / 4,
                Posix.PROT_READ | Posix.PROT_WRITE,
                Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_POPULATE,
                -1,
                0);
        Posix.mlock(control);
        return control;
    }

    private static void pages(
            String subject, MemorySegment segment, ToLongBiFunction<MemorySegment, Long> map, List<Checked> checked) {
        segment.fill((byte) 0x5a);
        for (long offset = 0; offset < segment.byteSize(); offset += PAGE) {
            MemorySegment range = segment.asSlice(offset, Math.min(PAGE, segment.byteSize() - offset));
            checked.add(new Checked(subject, range, map.applyAsLong(range, range.byteSize()), map));
        }
    }

    /** Per subject: pages, IOVAs that differ from pagemap now, IOVAs that differ from before. */
    private static Map<String, long[]> verify(RawPagemap pagemap, List<Checked> checked) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (Checked c : checked) {
            long[] n = counts.computeIfAbsent(c.subject(), s -> new long[3]);
            long now = c.iovaNow();
            n[0]++;
            if (now != pagemap.physical(c.range().address())) {
                n[1]++;
            }
            if (now != c.iovaBefore()) {
                n[2]++;
            }
        }
        return counts;
    }

    private static long[] frames(RawPagemap pagemap, MemorySegment segment) {
        long[] frames = new long[(int) (segment.byteSize() / PAGE)];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = pagemap.physical(segment.address() + i * PAGE);
        }
        return frames;
    }

    /** Pages of the control pieces whose frame changed since {@code before}. */
    private static long moved(RawPagemap pagemap, List<MemorySegment> pieces, List<long[]> before) {
        long moved = 0;
        for (int p = 0; p < pieces.size(); p++) {
            long[] after = frames(pagemap, pieces.get(p));
            for (int i = 0; i < after.length; i++) {
                if (after[i] != before.get(p)[i]) {
                    moved++;
                }
            }
        }
        return moved;
    }

    private static long freeHugepages() {
        Path free = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
        try {
            return Files.exists(free) ? Long.parseLong(Files.readString(free).trim()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean pfnsVisible() {
        try (RawPagemap pagemap = RawPagemap.open()) {
            MemorySegment page = Posix.mmap(
                    PAGE,
                    Posix.PROT_READ | Posix.PROT_WRITE,
                    Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_POPULATE,
                    -1,
                    0);
            try {
                page.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                pagemap.physical(page.address());
                return true;
            } catch (RigException hidden) {
                return false;
            } finally {
                Posix.munmap(page);
            }
        }
    }
}
