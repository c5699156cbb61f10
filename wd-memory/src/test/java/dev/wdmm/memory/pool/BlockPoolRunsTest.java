package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs of adjacent blocks: sizes above the block size (UADK v2's {@code wd_mem_alloc}). */
class BlockPoolRunsTest {
    private static final long K = 1024;
    private static final long DMA = 0x4000_0000L;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aRunIsOneIovaRangeFreedAsOneByItsStart() {
        WdReservedMemory region = Regions.contiguous(arena, 64 * 3 * K + 4 * K, DMA);
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(3000, 64, 1024));
        long base = region.segment().address();
        assertEquals(64, pool.maxRunBlocks());
        assertEquals(63 * 3072 + 3000, pool.maxAllocSize());
        // 10000 bytes: 1 + ceil((10000 - 3000) / 3072) = 4 blocks, usable 3 * 3072 + 3000 = 12216
        MemorySegment run = pool.alloc(10_000);
        assertEquals(10_000, run.byteSize());
        assertEquals(60, pool.freeBlocks());
        long iova = DMA + run.address() - base;
        for (long offset : new long[] {0, 2999, 3000, 3071, 3072, 5000, 12_215}) {
            assertEquals(iova + offset, pool.iovaMap(run.address() + offset), "offset " + offset);
            assertEquals(run.address(), pool.allocationStart(run.address() + offset));
        }
        assertEquals(iova, pool.iovaMap(run.address(), 12_216));
        assertEquals(iova + 100, pool.iovaMap(run.address() + 100, 12_116));
        assertThrows(IllegalArgumentException.class, () -> pool.iovaMap(run.address(), 12_217));
        assertEquals(BlockPool.NO_BLOCK, pool.allocationStart(run.address() + 12_216));
        for (long interior : new long[] {1, 3000, 3072, 3 * 3072, 12_215}) {
            WdOwnershipException e =
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(run.address() + interior));
            assertEquals(Reason.INTERIOR, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("of 4 blocks"), e.getMessage());
        }
        assertEquals(60, pool.freeBlocks(), "refusals change nothing");
        pool.free(run);
        assertEquals(64, pool.freeBlocks());
        assertEquals(
                Reason.ALREADY_FREED,
                assertThrows(WdOwnershipException.class, () -> pool.free(run)).reason());
        assertThrows(WdOwnershipException.class, () -> pool.iovaMap(run.address() + 5000));
        Set<Long> singles = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            assertTrue(singles.add(pool.allocAddress()));
        }
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
        singles.forEach(pool::freeAddress);
        MemorySegment whole = pool.alloc(pool.maxAllocSize());
        assertEquals(0, pool.freeBlocks());
        assertEquals(DMA + whole.address() - base, pool.iovaMap(whole.address(), pool.maxAllocSize()));
        pool.free(whole);
        pool.destroy();
    }

    /**
     * Four 64 KiB slices, DMA far apart; 24 KiB blocks kept at positions 0, 1, 3, 4, 6, 7, 8, 9.
     * Positions 7 and 8 are neighbours but their slices are not DMA-adjacent.
     */
    @Test
    void skippedBlocksAndSliceBoundariesBreakRuns() {
        long[] dmas = {0x10_0000_0000L, 0x30_0000_0000L, 0x20_0000_0000L, 0x50_0000_0000L};
        WdReservedMemory region = Regions.region(arena, new long[] {64 * K, 64 * K, 64 * K, 64 * K}, dmas);
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(24 * K, 8, 4096));
        long base = region.segment().address();
        assertEquals(2, pool.maxRunBlocks());
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> pool.alloc(48 * K + 1));
        assertTrue(tooLong.getMessage().contains("size=49153 needs 3 adjacent blocks"), tooLong.getMessage());
        assertTrue(tooLong.getMessage().contains("maxRunBlocks=2"), tooLong.getMessage());
        long[] heads = {0, 72 * K, 144 * K, 192 * K};
        long[] headDma = {dmas[0], dmas[1] + 8 * K, dmas[2] + 16 * K, dmas[3]};
        for (int i = 0; i < 4; i++) {
            long run = pool.allocAddress(48 * K);
            assertEquals(base + heads[i], run, "run " + i);
            assertEquals(headDma[i] + 48 * K - 1, pool.iovaMap(run + 48 * K - 1));
        }
        assertEquals(0, pool.freeBlocks());
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress(30 * K));
        assertEquals(1, pool.allocFailures());
    }

    @Test
    void contiguityIsCheckedAcrossTheWholeRangeNotOnlyAtItsEnds() {
        // block 1 lies elsewhere in DMA space while blocks 0 and 2 line up: comparing only the first
        // and last block (UADK's check) would accept a 3-block run; it is not one DMA range
        WdReservedMemory region = Regions.region(
                arena, new long[] {16 * K, 16 * K, 16 * K}, new long[] {DMA, 0x9000_0000L, DMA + 32 * K});
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(16 * K, 3, 4096));
        assertEquals(1, pool.maxRunBlocks());
        assertEquals(16 * K, pool.maxAllocSize());
        assertThrows(IllegalArgumentException.class, () -> pool.allocAddress(32 * K));
        WdReservedMemory adjacent = Regions.region(
                arena, new long[] {16 * K, 16 * K, 16 * K}, new long[] {DMA, DMA + 16 * K, DMA + 32 * K});
        BlockPool joined = BlockPool.create(adjacent, new BlockPoolSetup(16 * K, 3, 4096));
        assertEquals(3, joined.maxRunBlocks());
        long run = joined.allocAddress(48 * K);
        assertEquals(DMA + 40 * K, joined.iovaMap(run + 40 * K));
    }

    @Test
    void aBridgeJoinsNeighboursOnlyWhereItMapsBothAsOneRange() {
        // identity map that refuses ranges crossing an 8 KiB boundary: 3 KiB blocks at 4 KiB stride
        // from an 8 KiB-aligned start join in pairs (block, padding, block = 7 KiB), never in threes
        WdMmBridge bridge = WdMmBridge.of(
                arena,
                (a, size) -> a.allocate(size, 8192),
                (a, va) -> {},
                (a, va, size) -> {
                    if (va.address() / (8 * K) != (va.address() + size - 1) / (8 * K)) {
                        throw new WdMappingException(va.address(), size, 0, "crosses 8 KiB");
                    }
                    return va.address();
                },
                (a, va, iova, size) -> {});
        BlockPool pool = BlockPool.create(bridge, new BlockPoolSetup(3 * K, 8, 4096));
        assertEquals(2, pool.maxRunBlocks());
        long run = pool.allocAddress(7 * K);
        assertNotEquals(BlockPool.NO_BLOCK, run);
        assertEquals(0, run % (8 * K), "a pair starts on an 8 KiB boundary");
        assertEquals(run + 5 * K, pool.iovaMap(run + 5 * K, 2 * K));
        pool.freeAddress(run);
        pool.destroy();
    }

    @Test
    void fragmentationIsRefusedNamingFreeBlocksAndTheLongestFreeRun() {
        BlockPool pool = BlockPool.create(Regions.contiguous(arena, 64 * K, DMA), new BlockPoolSetup(4 * K, 16, 4096));
        long[] held = new long[16];
        for (int i = 0; i < 16; i++) {
            held[i] = pool.allocAddress();
        }
        java.util.Arrays.sort(held);
        for (int i = 0; i < 16; i += 2) {
            pool.freeAddress(held[i]);
        }
        WdAllocationException e = assertThrows(WdAllocationException.class, () -> pool.alloc(8 * K));
        assertTrue(e.getMessage().contains("needs a run of 2 adjacent free blocks"), e.getMessage());
        assertTrue(e.getMessage().contains("freeBlocks=8 longestFreeRun=1"), e.getMessage());
        assertEquals(8 * K, e.requested());
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress(5 * K));
        assertEquals(2, pool.allocFailures());
        assertEquals(8, pool.freeBlocks(), "a refused run leaves every free block free");
        pool.freeAddress(held[5]);
        assertEquals(held[4], pool.allocAddress(12 * K), "blocks 4, 5, 6 form the first free run of 3");
        assertEquals(6, pool.freeBlocks());
        IllegalStateException busy = assertThrows(IllegalStateException.class, pool::destroy);
        assertTrue(busy.getMessage().contains("outstanding=10"), busy.getMessage());
    }

    @Test
    void badSizesAreRefusedAndChangeNothing() {
        BlockPool pool = BlockPool.create(Regions.contiguous(arena, 64 * K, DMA), new BlockPoolSetup(4 * K, 16, 4096));
        for (long bad : new long[] {0, -1, Long.MIN_VALUE, 64 * K + 1, Long.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.alloc(bad));
            assertTrue(e.getMessage().startsWith("size=" + bad), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.allocAddress(bad));
        }
        assertEquals(16, pool.freeBlocks());
        assertEquals(0, pool.allocFailures());
        assertEquals(100, pool.alloc(100).byteSize(), "a size up to the block size takes one block");
        assertEquals(15, pool.freeBlocks());
    }
}
