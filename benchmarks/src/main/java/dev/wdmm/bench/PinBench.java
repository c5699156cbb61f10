package dev.wdmm.bench;

import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.nativeio.NativeMemory;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What holding memory in place costs: one {@link LongTermPins#pin} and its {@code unpin} of
 * {@code size} bytes of already populated memory, on 4 KiB pages or on 2 MiB huge pages. The
 * physical-address backends pay this once when they acquire memory (noiommu per 2 MiB chunk and
 * per allocation over 1 MiB, hugepage per mapping of huge pages, region sources per region), never
 * on a map nor on an allocation carved from a chunk already held.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PinBench {
    private static final long HUGE = 2L << 20;

    /** The page kind under the pinned memory: {@code 4k} or {@code 2m} (needs free huge pages). */
    @Param({"4k", "2m"})
    public String pages;

    /** Bytes pinned. */
    @Param({"4096", "1048576", "16777216"})
    public long size;

    private MemorySegment mapping;
    private MemorySegment range;
    private LongTermPins pins;

    /** Maps and populates the memory, opens the pins; fails with the reason where pinning is refused. */
    @Setup(Level.Trial)
    public void open() {
        int flags = NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE;
        long length = size;
        if (pages.equals("2m")) {
            flags |= NativeMemory.MAP_HUGETLB | NativeMemory.hugePageSizeFlag(HUGE);
            length = (size + HUGE - 1) / HUGE * HUGE;
        } else if (!pages.equals("4k")) {
            throw new IllegalArgumentException("pages=" + pages + " must be 4k or 2m");
        }
        mapping = NativeMemory.mmap(length, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, flags);
        range = mapping.asSlice(0, size);
        pins = LongTermPins.open("PinBench");
    }

    /** Closes the pins and unmaps. */
    @TearDown(Level.Trial)
    public void close() {
        if (pins != null) {
            pins.close();
        }
        if (mapping != null) {
            NativeMemory.munmap(mapping);
        }
    }

    /**
     * Pins the range and unpins it.
     *
     * @return the pinned address, so the work cannot be removed
     */
    @Benchmark
    public long pinUnpin() {
        LongTermPins.Pin pin = pins.pin(range);
        pins.unpin(pin);
        return pin.address();
    }
}
