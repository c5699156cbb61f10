package dev.wdmm.bench;

import dev.wdmm.api.WdMmBridge;
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
 * {@code alloc} immediately followed by {@code free} through a backend's bridge: the cost of a
 * short-lived DMA buffer. One bridge is shared by all benchmark threads, as an application
 * shares one; {@link #allocFree2Threads} shows how that scales to two threads.
 *
 * <p>The peers doing the same work are in {@link AllocFreePeersBench}; DPDK's
 * {@code rte_malloc}/{@code rte_free} in {@code benchmarks/dpdk}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AllocFreeBench {

    /** Backend name, as its provider reports it; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    /** Bytes per allocation. */
    @Param({"64", "4096", "65536", "1048576"})
    public long size;

    private WdMmBridge bridge;

    /** Opens the backend, failing fast with its reason when it is absent or unavailable. */
    @Setup(Level.Trial)
    public void open() {
        bridge = Backends.open(backend, size, 64);
    }

    /** Closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    /**
     * One allocation and its free, one thread.
     *
     * @return the address, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    public long allocFree() {
        MemorySegment segment = bridge.alloc(size);
        bridge.free(segment);
        return segment.address();
    }

    /**
     * One allocation and its free, two threads on the same bridge.
     *
     * @return the address, so the work cannot be removed
     */
    @Benchmark
    @Threads(2)
    public long allocFree2Threads() {
        MemorySegment segment = bridge.alloc(size);
        bridge.free(segment);
        return segment.address();
    }
}
