package dev.wdmm.bench;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
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
 * The price of the lifetime model, fast mode against checked mode ({@code wd.mm.checked=true}):
 * alloc+free of 4 KiB through a backend's bridge, and one read-modify-write of a long through a
 * segment the bridge handed out ({@link #access}) against the same memory seen through a
 * global-scope segment with no lifetime at all ({@link #accessNoScope}, the baseline). In fast mode
 * a segment is a slice of its chunk's mapping (its scope is the chunk's arena); in checked mode it
 * has a shared arena of its own, which free closes (a JVM-wide handshake), plus a stack walk for
 * the allocation site and the quarantine's bookkeeping.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class CheckedModeBench {
    private static final long SIZE = 4096;

    /** Backend name; unavailable ones fail in {@link #open}. */
    @Param({"sva", "noiommu", "hugepage", "passthrough"})
    public String backend;

    /** {@code fast} (the default) or {@code checked} ({@code wd.mm.checked=true}). */
    @Param({"fast", "checked"})
    public String mode;

    private WdMmBridge bridge;
    private MemorySegment held;
    private MemorySegment noScope;
    private long offset;

    /** Opens the backend in the mode and allocates the segment the access benchmarks use. */
    @Setup(Level.Trial)
    @SuppressWarnings("restricted") // the baseline views memory the bridge holds for the whole trial
    public void open() {
        String prefix = "wd.mm." + backend + ".";
        Map<String, String> options = backend.equals("passthrough")
                ? Map.of(prefix + "block-size", Long.toString(SIZE), prefix + "block-count", "2048")
                : Map.of();
        WdOptions chosen = WdOptions.fromText(options);
        if (mode.equals("checked")) {
            chosen = chosen.with(WdOptions.fromText(Map.of("wd.mm.checked", "true")));
        } else if (!mode.equals("fast")) {
            throw new IllegalArgumentException("mode=" + mode + " must be fast or checked");
        }
        bridge = Backends.open(backend, chosen);
        held = bridge.alloc(SIZE);
        noScope = MemorySegment.ofAddress(held.address()).reinterpret(SIZE);
    }

    /** Frees the segment and closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (bridge != null) {
            bridge.free(held);
            bridge.close();
        }
    }

    /**
     * One allocation and its free. Warmed up longer: checked mode's first few thousand calls run
     * cold at around a millisecond each (stack walks and handshakes before compilation).
     *
     * @return the address, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    @Warmup(iterations = 5, time = 2)
    public long allocFree() {
        MemorySegment segment = bridge.alloc(SIZE);
        bridge.free(segment);
        return segment.address();
    }

    /**
     * Reads and writes one long through the bridge's segment, at the next offset each time.
     *
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long access() {
        return touch(held);
    }

    /**
     * The baseline: the same access through a global-scope segment (no lifetime check).
     *
     * @return the value read
     */
    @Benchmark
    @Threads(1)
    public long accessNoScope() {
        return touch(noScope);
    }

    private long touch(MemorySegment segment) {
        long at = offset = (offset + 8) & (SIZE - 8);
        long value = segment.get(ValueLayout.JAVA_LONG, at);
        segment.set(ValueLayout.JAVA_LONG, at, value + 1);
        return value;
    }
}
