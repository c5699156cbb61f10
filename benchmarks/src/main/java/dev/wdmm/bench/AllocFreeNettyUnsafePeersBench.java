package dev.wdmm.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Netty's direct allocators with {@code sun.misc.Unsafe} allowed
 * ({@code --sun-misc-unsafe-memory-access=allow} in the fork), their fastest configuration and
 * the one most deployed services still run with. Same work as {@link AllocFreePeersBench}'s
 * Netty methods. run.sh passes no {@code -jvmArgsAppend}, so this class's {@code @Fork} flags apply.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class AllocFreeNettyUnsafePeersBench {

    /** Bytes per allocation, the same sizes as {@link AllocFreeBench#size}. */
    @Param({"64", "4096", "65536", "1048576"})
    public int size;

    private ByteBufAllocator pooled;
    private ByteBufAllocator adaptive;

    /** Creates the Netty allocators. */
    @Setup(Level.Trial)
    public void open() {
        pooled = NettyPeers.pooled();
        adaptive = NettyPeers.adaptive();
    }

    /** @return the released buffer */
    @Benchmark
    @Threads(1)
    public ByteBuf nettyPooledUnsafe() {
        ByteBuf buf = pooled.directBuffer(size);
        buf.release();
        return buf;
    }

    /** @return the released buffer */
    @Benchmark
    @Threads(1)
    public ByteBuf nettyAdaptiveUnsafe() {
        ByteBuf buf = adaptive.directBuffer(size);
        buf.release();
        return buf;
    }
}
