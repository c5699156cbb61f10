package dev.wdmm.bench;

import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Comparator;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * IOVA → virtual address ({@link WdIovaLookup#addressOf}, UADK v1's {@code wd_dma_to_va}, DPDK's
 * {@code rte_mem_iova2virt}) against the forward map of the same addresses, in the same run: a
 * completion handler turning the IOVA a device reports back into the buffer. The working set is
 * {@link MapBench}'s (64 MiB in 64 KiB allocations, {@value #SAMPLES} interior addresses that stay
 * inside their 4 KiB page), walked by ascending address ({@code order=sequential}) or in a fixed
 * random permutation ({@code shuffled}); {@code forwardMap} maps each address
 * ({@code iovaMap} of a segment made from the {@code long}, as {@code MapBench.mapFromAddress}),
 * {@code iovaToVa} looks up the IOVA that map gave for it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class IovaLookupBench {
    /** Number of precomputed addresses, a power of two. */
    public static final int SAMPLES = 1 << 16;

    /** Backend name; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    /** {@code sequential} (ascending addresses) or {@code shuffled}. */
    @Param({"sequential", "shuffled"})
    public String order;

    private WdMmBridge bridge;
    private WdIovaLookup lookup;
    private MemorySegment[] blocks;
    private long[] addresses;
    private long[] iovas;
    private int next;

    /** Opens the backend, allocates the working set, maps every address once to record its IOVA. */
    @Setup(Level.Trial)
    public void open() {
        if (!order.equals("sequential") && !order.equals("shuffled")) {
            throw new IllegalArgumentException("order=" + order + " must be sequential or shuffled");
        }
        bridge = Backends.open(backend, MapBench.BLOCK, (int) (MapBench.WORKING_SET / MapBench.BLOCK));
        lookup = bridge.unwrap(WdIovaLookup.class)
                .orElseThrow(() -> new IllegalStateException("backend=" + backend + " offers no WdIovaLookup"));
        blocks = new MemorySegment[(int) (MapBench.WORKING_SET / MapBench.BLOCK)];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = bridge.alloc(MapBench.BLOCK);
        }
        MemorySegment[] byAddress = blocks.clone();
        Arrays.sort(byAddress, Comparator.comparingLong(MemorySegment::address));
        addresses = new long[SAMPLES];
        long stride = MapBench.WORKING_SET / SAMPLES;
        for (int i = 0; i < SAMPLES; i++) {
            long at = i * stride;
            addresses[i] =
                    byAddress[(int) (at / MapBench.BLOCK)].address() + at % MapBench.BLOCK + MapBench.interiorOffset(i);
        }
        if (order.equals("shuffled")) {
            SplittableRandom random = new SplittableRandom(0x5eed);
            for (int i = addresses.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = addresses[i];
                addresses[i] = addresses[j];
                addresses[j] = t;
            }
        }
        iovas = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            iovas[i] = forward(addresses[i]);
            if (lookup.addressOf(iovas[i]) != addresses[i]) {
                throw new IllegalStateException("backend=" + backend + ": iova->va of iova=0x"
                        + Long.toHexString(iovas[i]) + " is not va=0x" + Long.toHexString(addresses[i]));
            }
        }
    }

    @SuppressWarnings("restricted")
    private long forward(long va) {
        return bridge.iovaMap(MemorySegment.ofAddress(va).reinterpret(MapBench.LENGTH), MapBench.LENGTH);
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

    private int advance() {
        int i = next;
        next = (i + 1) & (SAMPLES - 1);
        return i;
    }

    /**
     * The forward map of the next address (virtual address to IOVA).
     *
     * @return the IOVA
     */
    @Benchmark
    public long forwardMap() {
        return forward(addresses[advance()]);
    }

    /**
     * The reverse lookup of the next IOVA (IOVA to virtual address).
     *
     * @return the address
     */
    @Benchmark
    public long iovaToVa() {
        return lookup.addressOf(iovas[advance()]);
    }
}
