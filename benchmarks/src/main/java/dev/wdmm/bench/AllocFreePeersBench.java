package dev.wdmm.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
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
 * The Java peers of {@link AllocFreeBench}: the same short-lived direct buffer, from the
 * allocators Java applications use today. One method per peer; the report names each peer by
 * its method.
 *
 * <ul>
 *   <li>{@link #allocateDirect}: {@code ByteBuffer.allocateDirect}. There is no explicit free:
 *       the buffer is released by the garbage collector through its {@code Cleaner}. The figure is
 *       the allocation (which zeroes the memory) plus whatever reclaiming the JDK forces on the
 *       allocating thread ({@code Bits.reserveMemory} runs a GC and waits when the direct-memory
 *       limit is reached), so it is alloc + amortised free, as applications pay it.</li>
 *   <li>{@link #arenaConfined} and {@link #arenaShared}: {@code Arena.ofConfined()} /
 *       {@code ofShared()}, one allocation (zeroed, as {@code Arena.allocate} always does), then
 *       {@code close()}; closing a shared arena costs a thread handshake.</li>
 *   <li>{@link #nettyPooled}: {@code PooledByteBufAllocator} ({@code DEFAULT}'s settings with thread
 *       caches for all threads, see {@link NettyPeers}) {@code directBuffer} + {@code release}.</li>
 *   <li>{@link #nettyAdaptive}: {@code AdaptiveByteBufAllocator} (Netty 4.2's default allocator),
 *       direct buffers + {@code release}.</li>
 * </ul>
 * Netty runs as it does on JDK 25 with no extra flag: without {@code sun.misc.Unsafe}
 * ({@code io.netty.noUnsafe=true} by default on Java 25+). {@link AllocFreeNettyUnsafePeersBench} gives
 * the figures with Unsafe allowed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class AllocFreePeersBench {

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

    /** @return the buffer, released later by the GC */
    @Benchmark
    @Threads(1)
    public ByteBuffer allocateDirect() {
        return ByteBuffer.allocateDirect(size);
    }

    /** @return the address of the segment, freed when the arena closed */
    @Benchmark
    @Threads(1)
    public long arenaConfined() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(size);
            return segment.address();
        }
    }

    /** @return the address of the segment, freed when the arena closed */
    @Benchmark
    @Threads(1)
    public long arenaShared() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = arena.allocate(size);
            return segment.address();
        }
    }

    /** @return the released buffer */
    @Benchmark
    @Threads(1)
    public ByteBuf nettyPooled() {
        ByteBuf buf = pooled.directBuffer(size);
        buf.release();
        return buf;
    }

    /** @return the released buffer */
    @Benchmark
    @Threads(1)
    public ByteBuf nettyAdaptive() {
        ByteBuf buf = adaptive.directBuffer(size);
        buf.release();
        return buf;
    }

    /** @return the released buffer; two threads on one allocator */
    @Benchmark
    @Threads(2)
    public ByteBuf nettyPooled2Threads() {
        ByteBuf buf = pooled.directBuffer(size);
        buf.release();
        return buf;
    }

    /** @return the released buffer; two threads on one allocator */
    @Benchmark
    @Threads(2)
    public ByteBuf nettyAdaptive2Threads() {
        ByteBuf buf = adaptive.directBuffer(size);
        buf.release();
        return buf;
    }

    /** @return the address of the segment; two threads, each with its own arenas */
    @Benchmark
    @Threads(2)
    public long arenaConfined2Threads() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(size);
            return segment.address();
        }
    }
}
