package dev.wdmm.bench;

import dev.wdmm.memory.nativeio.Pagemap;
import dev.wdmm.memory.table.TranslationTable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Virtual-to-physical translation of one address, round-robin over the pages of a
 * {@value #WORKING_SET}-byte working set (larger than the last-level cache and the TLB reach).
 *
 * <p>{@code mode=uncached}: {@link Pagemap#physicalAddress} — one {@code pread} of
 * {@code /proc/self/pagemap} per call, the peer of DPDK's {@code rte_mem_virt2phy} (which also
 * opens and closes the file per call). {@code mode=cached}: a {@link TranslationTable} with
 * 4 KiB granules filled once from pagemap, which is what the NO_IOMMU backends consult on
 * {@code iovaMap}; the noiommu bridge's own {@code iovaMap} over a working set of the same size
 * is {@link MapBench} with {@code backend=noiommu}.
 *
 * <p>The memory is ordinary anonymous memory from an {@link Arena}, every page touched first;
 * translation speed does not depend on where the pages come from. No {@code backend} parameter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PagemapBench {

    /** Bytes in the working set: 64 MiB. */
    public static final long WORKING_SET = 64L << 20;
    /** Page size translated. */
    public static final long PAGE = 4096;

    private static final int PAGES = (int) (WORKING_SET / PAGE);

    /** {@code uncached} (pagemap per call) or {@code cached} (translation table). */
    @Param({"uncached", "cached"})
    public String mode;

    private Arena arena;
    private Pagemap pagemap;
    private TranslationTable table;
    private long base;
    private boolean cached;
    private int next;

    /** Maps and touches the working set; for {@code cached}, fills the table from pagemap. */
    @Setup(Level.Trial)
    public void open() {
        if (!mode.equals("uncached") && !mode.equals("cached")) {
            throw new IllegalArgumentException("mode=" + mode + " must be uncached or cached");
        }
        cached = mode.equals("cached");
        arena = Arena.ofShared();
        MemorySegment memory = arena.allocate(WORKING_SET, PAGE);
        for (long at = 0; at < WORKING_SET; at += PAGE) {
            memory.set(ValueLayout.JAVA_LONG, at, at);
        }
        base = memory.address();
        pagemap = Pagemap.open();
        if (cached) {
            long[] frames = new long[PAGES];
            pagemap.frameNumbers(base, frames);
            table = TranslationTable.create(PAGE, TranslationTable.DEFAULT_VA_BITS);
            for (int i = 0; i < PAGES; i++) {
                table.register(base + i * PAGE, frames[i] * PAGE, PAGE);
            }
        }
    }

    /** Closes pagemap and frees the working set. */
    @TearDown(Level.Trial)
    public void close() {
        if (pagemap != null) {
            pagemap.close();
        }
        if (arena != null) {
            arena.close();
        }
    }

    /**
     * Translates an interior address of the next page.
     *
     * @return the physical address
     */
    @Benchmark
    @Threads(1)
    public long translate() {
        int i = next;
        next = (i + 1) & (PAGES - 1);
        long va = base + i * PAGE + 64;
        return cached ? table.translate(va) : pagemap.physicalAddress(va);
    }
}
