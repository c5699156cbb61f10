package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Single blocks and runs mixed, against a model of which blocks are in use. */
class BlockPoolRunsProperties {
    private static final long DMA = 0x20_0000_0000L;

    /**
     * Ops: {@code 0..9} a single block; {@code 10..40} a run of {@code op - 8} blocks (2 to 32,
     * some longer than the pool); negative: free allocation {@code -op mod held} (and first try an
     * interior address of it when it is a run). Single-threaded, so first fit is predictable: the
     * lowest run of free blocks.
     */
    @Property(tries = 200)
    void singlesAndRunsMatchAModel(
            @ForAll @IntRange(min = 64, max = 3000) int blockSize,
            @ForAll @IntRange(min = 6, max = 12) int alignShift,
            @ForAll @IntRange(min = 1, max = 24) int count,
            @ForAll @Size(max = 120) List<@IntRange(min = -40, max = 40) Integer> ops) {
        BlockPoolSetup setup = new BlockPoolSetup(blockSize, count, 1L << alignShift);
        long stride = setup.stride();
        try (Arena arena = Arena.ofConfined()) {
            WdReservedMemory region = Regions.contiguous(arena, stride * count + 4096, DMA);
            BlockPool pool = BlockPool.create(region, setup);
            long base = region.segment().address();
            assertEquals(count, pool.maxRunBlocks());
            boolean[] used = new boolean[count];
            List<long[]> held = new ArrayList<>();
            long failures = 0;
            for (int op : ops) {
                if (op >= 0) {
                    int k = op < 10 ? 1 : op - 8;
                    long size = k == 1 ? 1 + op * (blockSize - 1L) / 9 : (k - 1) * stride + 1 + op % blockSize;
                    if (k > count) {
                        assertThrows(IllegalArgumentException.class, () -> pool.allocAddress(size));
                        continue;
                    }
                    int expected = firstFree(used, k);
                    long address = pool.allocAddress(size);
                    if (expected < 0) {
                        assertEquals(BlockPool.NO_BLOCK, address);
                        failures++;
                        continue;
                    }
                    int first = (int) ((address - base) / stride);
                    if (k > 1) {
                        assertEquals(expected, first, "first fit");
                    }
                    for (int b = first; b < first + k; b++) {
                        assertFalse(used[b], "block " + b + " handed out twice");
                        used[b] = true;
                    }
                    assertEquals(DMA + address - base + size - 1, pool.iovaMap(address + size - 1));
                    held.add(new long[] {address, first, k});
                } else if (!held.isEmpty()) {
                    long[] h = held.remove(Math.floorMod(op, held.size()));
                    if (h[2] > 1) {
                        long interior = h[0] + stride + (-op) % blockSize;
                        assertEquals(
                                Reason.INTERIOR,
                                assertThrows(WdOwnershipException.class, () -> pool.freeAddress(interior))
                                        .reason());
                    }
                    pool.freeAddress(h[0]);
                    for (int b = (int) h[1]; b < h[1] + h[2]; b++) {
                        used[b] = false;
                    }
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(h[0]));
                }
                assertEquals(count - countUsed(used), pool.freeBlocks());
                assertEquals(failures, pool.allocFailures());
            }
            for (long[] h : held) {
                pool.freeAddress(h[0]);
            }
            pool.destroy();
        }
    }

    /** The lowest start of {@code k} free blocks, or -1 (for k = 1: any free block, or -1). */
    private static int firstFree(boolean[] used, int k) {
        int length = 0;
        for (int b = 0; b < used.length; b++) {
            length = used[b] ? 0 : length + 1;
            if (length == k) {
                return b - k + 1;
            }
        }
        return -1;
    }

    private static int countUsed(boolean[] used) {
        int n = 0;
        for (boolean u : used) {
            n += u ? 1 : 0;
        }
        return n;
    }
}
