package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BlockPoolBulkProperties {

    /**
     * Bulk gets of random sizes (positive ops), bulk puts of random slices of what is held
     * (negative ops) and single allocs (zero) against a model: a bulk get succeeds exactly when
     * enough blocks are free, and takes nothing otherwise.
     */
    @Property(tries = 200)
    void bulkCallsMatchAModelOfHeldBlocks(
            @ForAll @IntRange(min = 1, max = 300) int count,
            @ForAll @Size(max = 80) List<@IntRange(min = -150, max = 150) Integer> ops) {
        try (Arena arena = Arena.ofShared()) {
            WdReservedMemory region = Regions.contiguous(arena, count * 256L, 0x20_0000_0000L);
            BlockPool pool = BlockPool.create(region, new BlockPoolSetup(256, count, 256));
            List<Long> held = new ArrayList<>();
            Set<Long> unique = new HashSet<>();
            long failures = 0;
            long[] batch = new long[151];
            for (int op : ops) {
                if (op > 0) {
                    boolean ok = pool.allocBulk(batch, 1, op);
                    assertEquals(op <= count - held.size(), ok, "n=" + op + " free=" + (count - held.size()));
                    if (!ok) {
                        failures++;
                        continue;
                    }
                    for (int i = 1; i <= op; i++) {
                        assertTrue(unique.add(batch[i]), "handed out twice");
                        held.add(batch[i]);
                    }
                } else if (op == 0) {
                    long address = pool.allocAddress();
                    if (held.size() == count) {
                        assertEquals(BlockPool.NO_BLOCK, address);
                        failures++;
                    } else {
                        assertTrue(unique.add(address));
                        held.add(address);
                    }
                } else if (!held.isEmpty()) {
                    int n = Math.min(-op, held.size());
                    long[] put = new long[n];
                    for (int i = 0; i < n; i++) {
                        long address = held.removeLast();
                        unique.remove(address);
                        put[i] = address + (i % 256);
                    }
                    pool.freeBulk(put, 0, n);
                }
                assertEquals(count - held.size(), pool.freeBlocks());
                assertEquals(failures, pool.allocFailures());
            }
            for (long address : held) {
                pool.freeAddress(address);
            }
            pool.destroy();
        }
    }
}
