package dev.wdmm.bench;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdMmBridge;
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
 * The hugepage backend's zero-garbage address API: {@code allocAddress} immediately followed by
 * {@code freeAddress}, the same work as {@link AllocFreeBench} does through the segment API
 * ({@code backend=hugepage} there), so that {@code -prof gc} shows what the address API saves.
 *
 * <p>This suite has no {@code backend} parameter (it measures the hugepage bridge's
 * {@link WdAddressAccess}, reached through {@code unwrap}); {@code run.sh} runs it only when the hugepage backend is available,
 * and the report files it under alloc+free as {@code wd-mm hugepage allocFreeAddress}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HugepageAddressBench {

    /** Bytes per allocation, as in {@link AllocFreeBench}. */
    @Param({"64", "4096", "65536", "1048576"})
    public long size;

    private WdMmBridge bridge;
    private WdAddressAccess addresses;

    /** Opens the hugepage backend, failing fast with its reason when it is unavailable. */
    @Setup(Level.Trial)
    public void open() {
        bridge = Backends.open("hugepage");
        addresses = bridge.unwrap(WdAddressAccess.class)
                .orElseThrow(() -> new IllegalStateException(
                        "backend=hugepage bridge=" + bridge + " must offer " + WdAddressAccess.class.getName()));
    }

    /** Closes the backend. */
    @TearDown(Level.Trial)
    public void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    /**
     * One allocation and its free by address, one thread.
     *
     * @return the address, so the work cannot be removed
     */
    @Benchmark
    @Threads(1)
    public long allocFreeAddress() {
        long address = addresses.allocAddress(size);
        addresses.freeAddress(address);
        return address;
    }

    /**
     * One allocation and its free by address, two threads on the same bridge.
     *
     * @return the address
     */
    @Benchmark
    @Threads(2)
    public long allocFreeAddress2Threads() {
        long address = addresses.allocAddress(size);
        addresses.freeAddress(address);
        return address;
    }
}
