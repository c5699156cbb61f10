package dev.wdmm.bench;

import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.sgl.ContiguousSgl;
import dev.wdmm.memory.sgl.Sgl;
import dev.wdmm.memory.sgl.SglPiece;
import dev.wdmm.memory.sgl.SglPool;
import dev.wdmm.memory.sgl.SglPoolSetup;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
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
 * Building a scatter-gather list for a {@value #BUFFER}-byte buffer, two ways.
 *
 * <p>{@link #poolAllocFree}: an {@link SglPool} over the backend's memory (4 KiB buffers, 16 per
 * SGL, so a chain of 16 SGLs) allocates a 1 MiB chain, images written, and frees it: UADK's
 * {@code wd_alloc_sgl} + {@code wd_free_sgl}. {@link #split}: {@link ContiguousSgl#split} of one
 * 1 MiB allocation of the backend into physically contiguous pieces, asking the bridge for
 * contiguous lengths ({@link WdContiguity}, or the whole rest for a bridge without it, as
 * with SVA where IOVA = VA) and IOVAs. No DPDK peer: DPDK has no SGL builder of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SglBench {

    /** Bytes in the buffer the SGL describes: 1 MiB. */
    public static final long BUFFER = 1L << 20;

    /** Backend name; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    private WdMmBridge bridge;
    private SglPool pool;
    private Backends.Reserved reserved;
    private MemorySegment buffer;
    private LongBinaryOperator contiguous;
    private LongUnaryOperator iova;

    /** Opens the backend, creates the SGL pool and allocates the buffer to split. */
    @Setup(Level.Trial)
    public void open() {
        bridge = Backends.open(backend, BUFFER, 1);
        SglPoolSetup setup = new SglPoolSetup(64, 16, 16, 4096, 64);
        reserved = Backends.reserve(backend, 8L << 20).orElse(null);
        pool = reserved != null ? SglPool.create(reserved.region(), setup) : SglPool.create(bridge, setup);
        buffer = bridge.alloc(BUFFER);
        long base = buffer.address();
        WdContiguity physical = bridge.unwrap(WdContiguity.class).orElse(null);
        if (physical != null) {
            contiguous = (va, limit) -> physical.contiguousLength(buffer.asSlice(va - base, limit), limit);
        } else {
            contiguous = (va, limit) -> limit;
        }
        iova = va -> bridge.iovaMap(buffer.asSlice(va - base, 1), 1);
    }

    /** Frees the buffer, destroys the pool and closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (buffer != null) {
            bridge.free(buffer);
        }
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
     * Allocates a 1 MiB chain from the pool and frees it.
     *
     * @return the chain's first DMA address, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    public long poolAllocFree() {
        Sgl chain = pool.alloc(BUFFER);
        long dma = chain.dma();
        pool.free(chain);
        return dma;
    }

    /**
     * Splits the 1 MiB allocation into contiguous pieces.
     *
     * @return the pieces
     */
    @Benchmark
    @Threads(1)
    public List<SglPiece> split() {
        return ContiguousSgl.split(buffer.address(), BUFFER, contiguous, iova);
    }
}
