package dev.wdmm.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The lifetime model's cost in fast mode: making a segment for an allocation and writing one
 * byte through it, with the chunk's scope against no scope at all.
 *
 * <ul>
 *   <li>{@code globalScope} (the baseline): {@code MemorySegment.ofAddress(a).reinterpret(size)},
 *       what noiommu, hugepage and passthrough handed out before the chunk allocator: no
 *       lifetime, so an access after release crashes the JVM;
 *   <li>{@code chunkScope}: {@code MemorySegment.ofAddress(a).reinterpret(size, chunkArena, null)},
 *       the segment carrying its chunk's (shared) arena, so an access after release throws;
 *   <li>{@code chunkSlice}: {@code chunk.asSlice(offset, size)}, what
 *       {@code ChunkAllocator.alloc} does (same scope as {@code chunkScope}).
 * </ul>
 *
 * <p>The chunk is 2 MiB from a shared arena (as every chunk source's mapping); each call makes a
 * 4 KiB segment at the next of {@value #SLOTS} offsets 64 bytes apart and writes its byte 64
 * (the memory stays hot: what is measured is the segment machinery). No {@code backend} parameter: it measures the JDK's segment
 * machinery that every backend's segments go through.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LifetimeBench {
    /** Bytes of the chunk. */
    public static final long CHUNK = 2L << 20;
    /** Bytes of each segment made. */
    public static final long SIZE = 4096;
    /** Segments made in turn, 64 bytes apart (one page: the write stays in L1 and the TLB). */
    public static final int SLOTS = 64;

    private Arena arena;
    private MemorySegment chunk;
    private long base;
    private int next;

    /** Maps the chunk. */
    @Setup(Level.Trial)
    public void open() {
        arena = Arena.ofShared();
        chunk = arena.allocate(CHUNK, SIZE);
        base = chunk.address();
    }

    /** Releases the chunk. */
    @TearDown(Level.Trial)
    public void close() {
        arena.close();
    }

    private long offset() {
        int i = next;
        next = (i + 1) & (SLOTS - 1);
        return (long) i * 64;
    }

    /**
     * A segment with no lifetime, and a write.
     *
     * @return the address, so the work cannot be removed
     */
    @Benchmark
    @SuppressWarnings("restricted")
    public long globalScope() {
        MemorySegment s = MemorySegment.ofAddress(base + offset()).reinterpret(SIZE);
        s.set(ValueLayout.JAVA_BYTE, 64, (byte) 1);
        return s.address();
    }

    /**
     * A segment with the chunk's scope, and a write.
     *
     * @return the address
     */
    @Benchmark
    @SuppressWarnings("restricted")
    public long chunkScope() {
        MemorySegment s = MemorySegment.ofAddress(base + offset()).reinterpret(SIZE, arena, null);
        s.set(ValueLayout.JAVA_BYTE, 64, (byte) 1);
        return s.address();
    }

    /**
     * A slice of the chunk's segment, and a write.
     *
     * @return the address
     */
    @Benchmark
    public long chunkSlice() {
        MemorySegment s = chunk.asSlice(offset(), SIZE);
        s.set(ValueLayout.JAVA_BYTE, 64, (byte) 1);
        return s.address();
    }
}
