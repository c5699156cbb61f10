package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Power-of-two strides take a shift path from address to block and back: with no candidate
 * skipped the block index is the position itself, with skipped candidates the position tables
 * are still used. Both are checked against addresses and DMA computed here from the slices.
 */
class PowerOfTwoStrideTest {
    private static final long K = 1024;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void denseLayoutMapsInteriorAddressesAndRefusesPadding() {
        WdReservedMemory region = Regions.contiguous(arena, 64 * K, 0x7000_0000L);
        long base = region.segment().address();
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(3000, 16, 4096));
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            long address = pool.allocAddress();
            assertEquals(0, (address - base) % (4 * K));
            assertTrue(address - base < 64 * K);
            assertEquals(0x7000_0000L + (address - base) + 2999, pool.iovaMap(address + 2999));
            assertEquals(
                    Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(address + 3000))
                            .reason());
            seen.add(address);
        }
        assertEquals(16, seen.size());
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
        for (long address : seen) {
            pool.freeAddress(address + 1500);
            assertEquals(
                    Reason.ALREADY_FREED,
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(address))
                            .reason());
        }
        assertEquals(16, pool.freeBlocks());
        pool.destroy();
    }

    /**
     * Slices of 10, 10 and 12 KiB with DMA addresses far apart; 4 KiB blocks at a 4 KiB stride.
     * The candidate at 8 KiB straddles a slice boundary and is skipped; 28 KiB is never scanned.
     */
    @Test
    void skippedCandidatesAtPowerOfTwoStrideAreNeverHandedOut() {
        WdReservedMemory region = Regions.region(arena, new long[] {10 * K, 10 * K, 12 * K}, new long[] {
            0x10_0000_0000L, 0x30_0000_0000L, 0x20_0000_0000L
        });
        long base = region.segment().address();
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(4 * K, 6, 4096));
        assertEquals(6, pool.blockCount());
        Set<Long> positions = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            long address = pool.allocAddress();
            long offset = address - base;
            long expectedDma = offset < 10 * K
                    ? 0x10_0000_0000L + offset
                    : offset < 20 * K ? 0x30_0000_0000L + offset - 10 * K : 0x20_0000_0000L + offset - 20 * K;
            assertEquals(expectedDma + 100, pool.iovaMap(address + 100));
            positions.add(offset / (4 * K));
        }
        assertEquals(Set.of(0L, 1L, 3L, 4L, 5L, 6L), positions);
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
        for (long skipped : new long[] {base + 8 * K + 5, base + 28 * K}) {
            assertEquals(
                    Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(skipped))
                            .reason());
        }
        pool.freeAddress(base + 5 * 4 * K + 4095);
        assertEquals(1, pool.freeBlocks());
        assertEquals(base + 5 * 4 * K, pool.allocAddress());
    }
}
