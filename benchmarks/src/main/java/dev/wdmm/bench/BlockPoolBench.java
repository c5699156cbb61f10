package dev.wdmm.bench;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;
import java.lang.foreign.MemorySegment;
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
 * One block taken from a {@link BlockPool} and given back: the peer of DPDK's
 * {@code rte_mempool_get} + {@code rte_mempool_put} (per-lcore cache) in {@code benchmarks/dpdk}.
 *
 * <p>The pool holds {@value #BLOCKS} blocks of {@code size} bytes carved from one region
 * allocated from the backend's bridge (huge pages for {@code backend=hugepage}); the pool's own
 * speed does not depend on the memory behind it. {@link #getPut} uses the zero-garbage address
 * API ({@code allocAddress}/{@code freeAddress}), {@link #getPutSegment} the segment API (one
 * {@code MemorySegment} per alloc). {@link #getPutRun} takes a run of four adjacent blocks
 * ({@code allocAddress(4 * size)}, UADK v2's {@code wd_mem_alloc}), whose cost is O(blocks) by
 * design. One pool is shared by all benchmark threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BlockPoolBench {

    /** Blocks in the pool. */
    public static final int BLOCKS = 4096;

    /** Backend name; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    /** Bytes per block. */
    @Param({"4096"})
    public long size;

    private WdMmBridge bridge;
    private BlockPool pool;
    private Backends.Reserved reserved;

    /** Opens the backend and creates the pool over memory of its bridge. */
    @Setup(Level.Trial)
    public void open() {
        bridge = Backends.open(backend, size, 1);
        BlockPoolSetup setup = new BlockPoolSetup(size, BLOCKS, Math.min(size, BlockPoolSetup.MAX_ALIGNMENT));
        reserved = Backends.reserve(backend, (BLOCKS + 1) * size).orElse(null);
        pool = reserved != null ? BlockPool.create(reserved.region(), setup) : BlockPool.create(bridge, setup);
    }

    /** Destroys the pool (freeing its region) and closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (pool != null) {
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
     * Takes a block by address and gives it back, one thread.
     *
     * @return the block address, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    public long getPut() {
        long block = pool.allocAddress();
        pool.freeAddress(block);
        return block;
    }

    /**
     * Takes a block by address and gives it back, two threads on the same pool.
     *
     * @return the block address
     */
    @Benchmark
    @Threads(2)
    public long getPut2Threads() {
        long block = pool.allocAddress();
        pool.freeAddress(block);
        return block;
    }

    /**
     * Takes a run of four adjacent blocks by address and gives it back, one thread: the O(blocks)
     * path of allocations above the block size.
     *
     * @return the run's address
     */
    @Benchmark
    @Threads(1)
    public long getPutRun() {
        long run = pool.allocAddress(4 * size);
        pool.freeAddress(run);
        return run;
    }

    /**
     * Takes a block as a segment and gives it back, one thread.
     *
     * @return the block address
     */
    @Benchmark
    @Threads(1)
    public long getPutSegment() {
        MemorySegment block = pool.alloc();
        pool.free(block);
        return block.address();
    }

    /**
     * Takes a block as a segment and gives it back, two threads on the same pool.
     *
     * @return the block address
     */
    @Benchmark
    @Threads(2)
    public long getPutSegment2Threads() {
        MemorySegment block = pool.alloc();
        pool.free(block);
        return block.address();
    }
}
