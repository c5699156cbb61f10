package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdPoolStats;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.memory.sgl.Sgl;
import dev.wdmm.memory.sgl.SglPool;
import dev.wdmm.memory.sgl.SglPoolSetup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pool statistics in UADK v2's terms: usage and waste rates, exact after known sequences. */
class PoolStatsTest {
    private static final long DMA = 0x7_0000_0000L;

    @Test
    void blockPoolUsageAndWasteAreExact() {
        try (Arena arena = Arena.ofShared()) {
            // 8 blocks of 3000 bytes at a 4 KiB stride: 1096 bytes of padding after each block
            BlockPool pool =
                    BlockPool.create(Regions.contiguous(arena, 8 * 4096, DMA), new BlockPoolSetup(3000, 8, 4096));
            long a = pool.allocAddress();
            pool.allocAddress();
            long run = pool.allocAddress(5000); // two blocks
            assertEquals(BlockPool.NO_BLOCK, pool.allocAddress(4 * 4096 + 3000), "a run of 5 blocks: only 4 are free");
            WdPoolStats stats = pool.stats();
            assertEquals(3000, stats.blockSize());
            assertEquals(8, stats.blocks());
            assertEquals(4, stats.freeBlocks(), stats.toString());
            assertEquals(1, stats.allocFailures(), stats.toString());
            assertEquals(0.5, stats.usageRate(), 1e-9);
            assertEquals((8 * 4096 - 8 * 3000) / (double) (8 * 4096), stats.wasteRate(), 1e-9);
            assertEquals(3, pool.totalAllocations());
            pool.freeAddress(a);
            pool.freeAddress(run);
            assertEquals(7, pool.stats().freeBlocks());
            assertEquals(1, pool.destroyForcibly(), "one block was still allocated");
            assertThrows(WdClosedException.class, pool::allocAddress);
            assertEquals(0, pool.destroyForcibly(), "idempotent");
        }
    }

    @Test
    void sglPoolCountsWholeSgls() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = arena.allocate(64 * 1024, 4096);
            WdReservedMemory region =
                    new WdReservedMemory(segment, List.of(new WdSlice(segment.address(), DMA, 64 * 1024)));
            SglPoolSetup setup = new SglPoolSetup(8, 4, 2, 2048, 64);
            SglPool pool = SglPool.create(region, setup);
            Sgl one = pool.alloc(4096);
            pool.alloc(8192); // two SGLs chained
            WdPoolStats stats = pool.stats();
            assertEquals(4096, stats.blockSize(), "data bytes per SGL");
            assertEquals(8, stats.blocks());
            assertEquals(5, stats.freeBlocks(), stats.toString());
            assertEquals(3.0 / 8, stats.usageRate(), 1e-9);
            assertTrue(stats.wasteRate() > 0 && stats.wasteRate() < 1, stats.toString());
            pool.free(one);
            assertEquals(6, pool.stats().freeBlocks());
        }
    }
}
