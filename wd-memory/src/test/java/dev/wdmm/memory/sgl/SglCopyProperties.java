package dev.wdmm.memory.sgl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class SglCopyProperties {

    /** Copies behave as on one flat array of the chain's size: same bytes, same truncation. */
    @Property(tries = 150)
    void copiesMatchAFlatModel(
            @ForAll @IntRange(min = 1, max = 5 * 4096) int size,
            @ForAll @IntRange(min = 0, max = 5 * 4096) int offsetSeed,
            @ForAll @IntRange(min = 0, max = 6 * 4096) int length,
            @ForAll @IntRange(min = 1, max = 4) int buffersPerSgl) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(256 * 1024, 4096);
            SglPool pool = SglPool.create(
                    new WdReservedMemory(memory, List.of(new WdSlice(memory.address(), 0, 256 * 1024))),
                    new SglPoolSetup(16, 4, buffersPerSgl, 2048, 8));
            Sgl chain = pool.alloc(size);
            int offset = offsetSeed % size;
            byte[] model = new byte[size];
            byte[] data = new byte[length];
            new SplittableRandom(size * 31L + length).nextBytes(data);
            MemorySegment source = arena.allocate(Math.max(1, length)).asSlice(0, length);
            MemorySegment.copy(data, 0, source, ValueLayout.JAVA_BYTE, 0, length);
            int fits = Math.min(length, size - offset);
            System.arraycopy(data, 0, model, offset, fits);
            assertEquals(length - fits, chain.copyFrom(offset, source));
            MemorySegment whole = arena.allocate(size);
            assertEquals(0, chain.copyTo(0, whole));
            byte[] got = whole.toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(
                    Arrays.copyOfRange(model, offset, offset + fits), Arrays.copyOfRange(got, offset, offset + fits));
            MemorySegment target = arena.allocate(Math.max(1, length)).asSlice(0, length);
            assertEquals(length - fits, chain.copyTo(offset, target));
            assertArrayEquals(
                    Arrays.copyOfRange(data, 0, fits), target.asSlice(0, fits).toArray(ValueLayout.JAVA_BYTE));
            long described = 0;
            for (int k = 0; k < chain.entryCount(); k++) {
                described += chain.buffer(k).byteSize();
            }
            assertEquals(size, described);
            pool.free(chain);
            pool.destroy();
        }
    }
}
