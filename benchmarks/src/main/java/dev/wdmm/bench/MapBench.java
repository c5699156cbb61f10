package dev.wdmm.bench;

import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * {@code iovaMap} of interior addresses: what a driver does for every buffer it hands a device.
 *
 * <p>The working set ({@value #WORKING_SET} bytes in {@value #BLOCK}-byte allocations) is larger
 * than this machine's last-level cache (32 MiB) and its TLB reach (3584 x 4 KiB = 14 MiB), so a
 * translation structure that touches memory per call pays for it. {@value #SAMPLES} ranges of
 * {@value #LENGTH} bytes are precomputed in {@link #open}: one every {@code WORKING_SET / SAMPLES}
 * bytes, at an interior offset that never crosses a 4 KiB page (so a backend of pinned 4 KiB
 * pages can map each one). {@code order=sequential} walks them by ascending address,
 * {@code order=shuffled} in a fixed random permutation. The DPDK peer in {@code benchmarks/dpdk}
 * builds the same working set with {@code rte_malloc} and the same offsets and orders.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapBench {

    /** Bytes in the working set: 64 MiB. */
    public static final long WORKING_SET = 64L << 20;
    /** Bytes per allocation of the working set: 64 KiB. */
    public static final long BLOCK = 64L << 10;
    /** Number of precomputed ranges, a power of two: 65536 (one per KiB). */
    public static final int SAMPLES = 1 << 16;
    /** Bytes per mapped range. */
    public static final long LENGTH = 64;

    /** Backend name; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    /** {@code sequential} (ascending addresses) or {@code shuffled}. */
    @Param({"sequential", "shuffled"})
    public String order;

    private WdMmBridge bridge;
    private MemorySegment[] blocks;
    private MemorySegment[] ranges;
    /** The start addresses of {@link #ranges}, in the same order (what the DPDK peer walks). */
    private long[] addresses;

    private final AtomicInteger threadCount = new AtomicInteger();

    /** Opens the backend, allocates the working set and precomputes the ranges. */
    @Setup(Level.Trial)
    public void open() {
        if (!order.equals("sequential") && !order.equals("shuffled")) {
            throw new IllegalArgumentException("order=" + order + " must be sequential or shuffled");
        }
        bridge = Backends.open(backend, BLOCK, (int) (WORKING_SET / BLOCK));
        blocks = new MemorySegment[(int) (WORKING_SET / BLOCK)];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = bridge.alloc(BLOCK);
        }
        MemorySegment[] byAddress = blocks.clone();
        Arrays.sort(byAddress, Comparator.comparingLong(MemorySegment::address));
        ranges = new MemorySegment[SAMPLES];
        long stride = WORKING_SET / SAMPLES;
        for (int i = 0; i < SAMPLES; i++) {
            long at = i * stride;
            MemorySegment block = byAddress[(int) (at / BLOCK)];
            long offset = at % BLOCK + interiorOffset(i);
            ranges[i] = block.asSlice(offset, LENGTH);
        }
        if (order.equals("shuffled")) {
            shuffle(ranges, new SplittableRandom(0x5eed));
        }
        addresses = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            addresses[i] = ranges[i].address();
        }
    }

    /** An offset inside the stride, 64-byte aligned, that keeps the range inside its 4 KiB page. */
    static long interiorOffset(int i) {
        return 64 + (i % 8) * 64;
    }

    private static void shuffle(MemorySegment[] array, SplittableRandom random) {
        for (int i = array.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            MemorySegment t = array[i];
            array[i] = array[j];
            array[j] = t;
        }
    }

    /** Frees the working set and closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (blocks != null) {
            for (MemorySegment block : blocks) {
                if (block != null) {
                    bridge.free(block);
                }
            }
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    /** Each thread's position in the ranges; threads start half the array apart. */
    @State(Scope.Thread)
    public static class Cursor {
        private int next;

        /**
         * Places this thread's start.
         *
         * @param bench the shared state, which counts the threads
         */
        @Setup(Level.Trial)
        public void place(MapBench bench) {
            next = (bench.threadCount.getAndIncrement() * (SAMPLES / 2)) & (SAMPLES - 1);
        }

        int advance() {
            int i = next;
            next = (i + 1) & (SAMPLES - 1);
            return i;
        }
    }

    /**
     * Maps the next range, one thread.
     *
     * @param cursor this thread's position
     * @return the IOVA
     */
    @Benchmark
    @Threads(1)
    public long map(Cursor cursor) {
        return bridge.iovaMap(ranges[cursor.advance()], LENGTH);
    }

    /**
     * Maps the next range given by its address, one thread: the segment is made from a
     * {@code long} ({@code MemorySegment.ofAddress(va).reinterpret(LENGTH)}, which escape analysis
     * removes), as the DPDK peer walks an array of pointers. {@link #map} reads each range's
     * segment object from an array instead: shuffled, that object is a cache miss of its own
     * (65536 objects, about 2.6 MB) that a driver mapping the buffer it just filled does not pay.
     *
     * @param cursor this thread's position
     * @return the IOVA
     */
    @Benchmark
    @Threads(1)
    @SuppressWarnings("restricted")
    public long mapFromAddress(Cursor cursor) {
        return bridge.iovaMap(
                MemorySegment.ofAddress(addresses[cursor.advance()]).reinterpret(LENGTH), LENGTH);
    }

    /**
     * Maps the next range, two threads on the same bridge.
     *
     * @param cursor this thread's position
     * @return the IOVA
     */
    @Benchmark
    @Threads(2)
    public long map2Threads(Cursor cursor) {
        return bridge.iovaMap(ranges[cursor.advance()], LENGTH);
    }
}
