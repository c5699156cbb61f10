package dev.wdmm.bench;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;
import java.util.SplittableRandom;
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
 * IOVA of an interior address of an allocated block: {@link BlockPool#iovaMap(long, long)}, the
 * block-pool peer of DPDK's {@code rte_mem_virt2memseg} + offset (interior addresses; DPDK's
 * {@code rte_malloc_virt2iova} would read garbage there). The pool holds {@value #BLOCKS} blocks of
 * 4 KiB (16 MiB) carved from the backend's memory, all allocated; {@value #SAMPLES} precomputed
 * interior addresses of 64-byte ranges are walked by ascending address ({@code order=sequential})
 * or in a fixed random permutation ({@code order=shuffled}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PoolMapBench {
    /** Blocks in the pool, all allocated during the benchmark. */
    public static final int BLOCKS = 4096;
    /** Interior addresses walked (a power of two). */
    public static final int SAMPLES = 1 << 16;

    private static final long BLOCK = 4096;
    private static final long LENGTH = 64;

    /** Backend whose memory the pool is carved from; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    /** {@code sequential} (ascending addresses) or {@code shuffled}. */
    @Param({"sequential", "shuffled"})
    public String order;

    private WdMmBridge bridge;
    private BlockPool pool;
    private Backends.Reserved reserved;
    private long[] blocks;
    private long[] addresses;
    private int next;

    /** Opens the backend, fills the pool and precomputes the interior addresses. */
    @Setup(Level.Trial)
    public void open() {
        if (!order.equals("sequential") && !order.equals("shuffled")) {
            throw new IllegalArgumentException("order=" + order + " must be sequential or shuffled");
        }
        bridge = Backends.open(backend, BLOCK, 1);
        BlockPoolSetup setup = new BlockPoolSetup(BLOCK, BLOCKS, BLOCK);
        reserved = Backends.reserve(backend, (BLOCKS + 1) * BLOCK).orElse(null);
        pool = reserved != null ? BlockPool.create(reserved.region(), setup) : BlockPool.create(bridge, setup);
        blocks = new long[BLOCKS];
        for (int i = 0; i < BLOCKS; i++) {
            blocks[i] = pool.allocAddress();
        }
        long[] sorted = blocks.clone();
        java.util.Arrays.sort(sorted);
        addresses = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            addresses[i] = sorted[i % BLOCKS] + MapBench.interiorOffset(i / BLOCKS);
        }
        if (order.equals("shuffled")) {
            SplittableRandom random = new SplittableRandom(0x5eed);
            for (int i = SAMPLES - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = addresses[i];
                addresses[i] = addresses[j];
                addresses[j] = t;
            }
        }
    }

    /** Frees the blocks, destroys the pool and closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (pool != null) {
            for (long block : blocks) {
                pool.freeAddress(block);
            }
            pool.destroy();
        }
        if (reserved != null) {
            reserved.close();
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    /**
     * Maps the next interior range, one thread.
     *
     * @return its IOVA
     */
    @Benchmark
    @Threads(1)
    public long poolMap() {
        long va = addresses[next];
        next = (next + 1) & (SAMPLES - 1);
        return pool.iovaMap(va, LENGTH);
    }
}
