package dev.wdmm.bench;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@value #BULK} blocks taken from a {@link BlockPool} at once and given back at once, reported per
 * block: the peer of DPDK's {@code rte_mempool_get_bulk} + {@code rte_mempool_put_bulk} of
 * {@value #BULK} objects (per-lcore cache) in {@code benchmarks/dpdk}, also reported per object.
 * The pool is {@link BlockPoolBench}'s ({@value BlockPoolBench#BLOCKS} blocks over the backend's
 * memory); the address API, so no Java memory per call. {@link #getPutEach} is the same
 * {@value #BULK} blocks one call at a time, for the gain of the bulk path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BlockPoolBulkBench {

    /** Blocks per bulk call, as the DPDK peer's bulk. */
    public static final int BULK = 32;

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
        BlockPoolSetup setup =
                new BlockPoolSetup(size, BlockPoolBench.BLOCKS, Math.min(size, BlockPoolSetup.MAX_ALIGNMENT));
        reserved = Backends.reserve(backend, (BlockPoolBench.BLOCKS + 1) * size).orElse(null);
        pool = reserved != null ? BlockPool.create(reserved.region(), setup) : BlockPool.create(bridge, setup);
    }

    /** Destroys the pool and closes the backend. */
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

    /** Each thread's array of addresses. */
    @State(Scope.Thread)
    public static class Batch {
        /** The addresses of one bulk. */
        final long[] addresses = new long[BULK];
    }

    /**
     * One bulk get of {@value #BULK} blocks and one bulk put of them, one thread.
     *
     * @param batch the thread's array
     * @return a block address, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BULK)
    public long getPutBulk(Batch batch) {
        if (!pool.allocBulk(batch.addresses, 0, BULK)) {
            throw new IllegalStateException("pool exhausted");
        }
        pool.freeBulk(batch.addresses, 0, BULK);
        return batch.addresses[BULK - 1];
    }

    /**
     * The same, two threads on one pool.
     *
     * @param batch the thread's array
     * @return a block address
     */
    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(BULK)
    public long getPutBulk2Threads(Batch batch) {
        return getPutBulk(batch);
    }

    /**
     * {@value #BULK} single gets, then {@value #BULK} single puts, one thread (what the bulk saves).
     *
     * @param batch the thread's array
     * @return a block address
     */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BULK)
    public long getPutEach(Batch batch) {
        long[] a = batch.addresses;
        for (int i = 0; i < BULK; i++) {
            a[i] = pool.allocAddress();
        }
        for (int i = 0; i < BULK; i++) {
            pool.freeAddress(a[i]);
        }
        return a[BULK - 1];
    }
}
