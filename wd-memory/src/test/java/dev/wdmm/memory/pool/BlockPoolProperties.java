package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class BlockPoolProperties {

    @Property(tries = 200)
    void poolMatchesAModelOfHeldBlocks(
            @ForAll @IntRange(min = 1, max = 5000) int blockSize,
            @ForAll @IntRange(min = 1, max = 12) int alignShift,
            @ForAll @IntRange(min = 1, max = 40) int count,
            @ForAll @Size(max = 200) List<@IntRange(min = -40, max = 40) Integer> ops) {
        BlockPoolSetup setup = new BlockPoolSetup(blockSize, count, 1L << alignShift);
        try (Arena arena = Arena.ofConfined()) {
            WdReservedMemory region = Regions.contiguous(arena, setup.stride() * count + 4096, 0x10_0000_0000L);
            BlockPool pool = BlockPool.create(region, setup);
            long base = region.segment().address();
            assertEquals(count, pool.blockCount());
            List<Long> held = new ArrayList<>();
            Set<Long> unique = new HashSet<>();
            long failures = 0;
            for (int op : ops) {
                if (op >= 0) {
                    long address = pool.allocAddress();
                    if (held.size() == count) {
                        assertEquals(BlockPool.NO_BLOCK, address);
                        failures++;
                        continue;
                    }
                    assertTrue(unique.add(address), "handed out twice");
                    assertEquals(0, address % setup.alignment());
                    assertEquals(
                            0x10_0000_0000L + address - base + op % blockSize, pool.iovaMap(address + op % blockSize));
                    held.add(address);
                } else if (!held.isEmpty()) {
                    long address = held.remove(Math.floorMod(op, held.size()));
                    unique.remove(address);
                    pool.freeAddress(address + (-op) % blockSize);
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(address));
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

    @Property(tries = 300)
    void badSetupsAreRefusedWithTheValueNamed(
            @ForAll @LongRange(min = -10, max = 300_000_000) long blockSize,
            @ForAll @LongRange(min = -10, max = 5000) long alignment) {
        boolean sizeOk = blockSize > 0 && blockSize <= 256L << 20;
        boolean alignOk = alignment >= 2 && alignment <= 4096 && Long.bitCount(alignment) == 1;
        if (sizeOk && alignOk) {
            assertEquals(blockSize, new BlockPoolSetup(blockSize, 1, alignment).blockSize());
        } else {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new BlockPoolSetup(blockSize, 1, alignment));
            String named = sizeOk ? "alignment=" + alignment : "blockSize=" + blockSize;
            assertTrue(e.getMessage().startsWith(named), e.getMessage());
        }
    }
}
