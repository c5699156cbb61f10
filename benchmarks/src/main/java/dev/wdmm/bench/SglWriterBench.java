package dev.wdmm.bench;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.sgl.HwSgl;
import dev.wdmm.memory.sgl.SglWriter;
import java.lang.foreign.MemorySegment;
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
 * {@link SglWriter#write}: a hardware SGL chain for a list of the caller's buffers (UADK v2's
 * {@code hisi_qm_get_hw_sgl} over a {@code wd_datalist}) written into SGL images the caller owns.
 * The buffers are a 256-byte header, a 64 KiB body and a 64-byte trailer, allocated from the
 * backend's bridge; 16 entries per SGL. Device addresses come from the bridge's address API
 * ({@link WdAddressAccess#iovaMapAddress}) and contiguous lengths from {@link WdContiguity} where
 * the bridge offers it (noiommu, hugepage: a segment is made per query, see the gc profiler's
 * {@code gc.alloc.rate.norm}), else the whole rest (IOVA-contiguous allocations). Run with
 * {@code -prof gc}: the writer itself allocates nothing. No DPDK peer: DPDK builds no hardware SGL.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SglWriterBench {
    private static final int ENTRIES = 16;
    private static final long[] LENGTHS = {256, 64 * 1024, 64};

    /**
     * Backend name. With the address API ({@code sva}, {@code noiommu}, {@code hugepage}) every
     * entry is translated through {@link WdAddressAccess#iovaMapAddress}; without it (passthrough:
     * the run scripts pass every available backend) each buffer is mapped once at setup and an
     * entry's IOVA is its buffer's IOVA plus the offset (passthrough's allocations are contiguous).
     */
    @Param({"sva", "noiommu", "hugepage"})
    public String backend;

    private WdMmBridge bridge;
    private final MemorySegment[] buffers = new MemorySegment[LENGTHS.length];
    private final long[] vas = new long[LENGTHS.length];
    private MemorySegment images;
    private long imagesIova;
    private LongBinaryOperator contiguous;
    private LongUnaryOperator iova;

    /** Opens the backend and allocates the buffers and the images. */
    @Setup(Level.Trial)
    @SuppressWarnings("restricted") // a view of buffer memory the bridge holds for the whole trial
    public void open() {
        bridge = Backends.open(backend, 64 * 1024, LENGTHS.length + 4); // the buffers and the images
        WdAddressAccess raw = bridge.unwrap(WdAddressAccess.class).orElse(null);
        for (int i = 0; i < LENGTHS.length; i++) {
            buffers[i] = bridge.alloc(LENGTHS[i]);
            vas[i] = buffers[i].address();
        }
        images = bridge.alloc(4 * HwSgl.imageBytes(ENTRIES));
        imagesIova = bridge.iovaMap(images, images.byteSize());
        WdContiguity physical = bridge.unwrap(WdContiguity.class).orElse(null);
        contiguous = physical == null
                ? (va, limit) -> limit
                : (va, limit) ->
                        physical.contiguousLength(MemorySegment.ofAddress(va).reinterpret(limit), limit);
        iova = raw != null ? va -> raw.iovaMapAddress(va, 1) : mappedOnce();
    }

    /** The buffers mapped once; an address inside one translates by its offset. */
    private LongUnaryOperator mappedOnce() {
        long[] iovas = new long[LENGTHS.length];
        for (int i = 0; i < LENGTHS.length; i++) {
            iovas[i] = bridge.iovaMap(buffers[i], LENGTHS[i]);
        }
        return va -> {
            for (int i = 0; i < LENGTHS.length; i++) {
                if (Long.compareUnsigned(va - vas[i], LENGTHS[i]) < 0) {
                    return iovas[i] + (va - vas[i]);
                }
            }
            throw new IllegalArgumentException("va=0x" + Long.toHexString(va) + " is in none of the buffers");
        };
    }

    /** Frees everything and closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    /**
     * Writes the chain for the three buffers.
     *
     * @return the entries written, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    public int write() {
        return SglWriter.write(images, imagesIova, ENTRIES, vas, LENGTHS, LENGTHS.length, contiguous, iova);
    }
}
