package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockPoolTest {
    private static final long K = 1024;
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void setupRefusesEveryBadValue() {
        assertMessage("blockSize=0 must be > 0", () -> new BlockPoolSetup(0, 1, 64));
        assertMessage("blockSize=-5", () -> new BlockPoolSetup(-5, 1, 64));
        assertMessage("blockSize=268435457", () -> new BlockPoolSetup((256L << 20) + 1, 1, 64));
        assertMessage("blockCount=0", () -> new BlockPoolSetup(64, 0, 64));
        assertMessage("blockCount=-1", () -> new BlockPoolSetup(64, -1, 64));
        assertMessage("blockCount=4294967296", () -> new BlockPoolSetup(64, 1L << 32, 64));
        assertMessage("alignment=1 must be a power of two, >= 2", () -> new BlockPoolSetup(64, 1, 1));
        assertMessage("alignment=0", () -> new BlockPoolSetup(64, 1, 0));
        assertMessage("alignment=24", () -> new BlockPoolSetup(64, 1, 24));
        assertMessage("alignment=8192", () -> new BlockPoolSetup(64, 1, 8192));
        assertMessage("alignment=-4096", () -> new BlockPoolSetup(64, 1, -4096));
        assertEquals(256L << 20, new BlockPoolSetup(256L << 20, 1, 4096).blockSize());
        assertEquals(4096, new BlockPoolSetup(100, 1, 4096).stride());
        assertEquals(104, new BlockPoolSetup(100, 1, 8).stride());
    }

    @Test
    void nullArgumentsAreRefused() {
        WdReservedMemory region = Regions.contiguous(arena, 64 * K, 0x1000_0000L);
        BlockPoolSetup setup = new BlockPoolSetup(4 * K, 4, 4096);
        assertThrows(NullPointerException.class, () -> BlockPool.create((WdReservedMemory) null, setup));
        assertThrows(NullPointerException.class, () -> BlockPool.create(region, null));
        assertThrows(NullPointerException.class, () -> BlockPool.create((WdMmBridge) null, setup));
        BlockPool pool = BlockPool.create(region, setup);
        assertThrows(NullPointerException.class, () -> pool.free(null));
    }

    /**
     * Four 64 KiB slices with DMA addresses far apart; 24 KiB blocks at a 24 KiB stride. Block
     * candidates [48K,72K) and [120K,144K) straddle a slice boundary; [168K,192K) ends exactly on
     * one and is kept.
     */
    private WdReservedMemory fourSlices() {
        return Regions.region(arena, new long[] {64 * K, 64 * K, 64 * K, 64 * K}, new long[] {
            0x10_0000_0000L, 0x30_0000_0000L, 0x20_0000_0000L, 0x50_0000_0000L
        });
    }

    @Test
    void blocksStraddlingNonContiguousSlicesAreSkipped() {
        WdReservedMemory region = fourSlices();
        long base = region.segment().address();
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(24 * K, 8, 4096));
        assertEquals(8, pool.blockCount());
        long[] kept = {0, 1, 3, 4, 6, 7, 8, 9};
        long[] dma = {
            0x10_0000_0000L,
            0x10_0000_0000L + 24 * K,
            0x30_0000_0000L + 8 * K,
            0x30_0000_0000L + 32 * K,
            0x20_0000_0000L + 16 * K,
            0x20_0000_0000L + 40 * K,
            0x50_0000_0000L,
            0x50_0000_0000L + 24 * K
        };
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < 8; i++) {
            long address = pool.allocAddress();
            long position = (address - base) / (24 * K);
            assertEquals(0, (address - base) % (24 * K));
            int index = java.util.Arrays.binarySearch(kept, position);
            assertTrue(index >= 0, "position " + position + " should have been skipped");
            assertEquals(dma[index] + 77, pool.iovaMap(address + 77));
            seen.add(position);
        }
        assertEquals(8, seen.size());
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
        long skipped = base + 2 * 24 * K + 10;
        assertEquals(
                Reason.FOREIGN,
                assertThrows(WdOwnershipException.class, () -> pool.freeAddress(skipped))
                        .reason());
    }

    @Test
    void dmaAdjacentSlicesAreOneRun() {
        WdReservedMemory region =
                Regions.region(arena, new long[] {64 * K, 64 * K}, new long[] {0x8000_0000L, 0x8000_0000L + 64 * K});
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(24 * K, 5, 4096));
        assertEquals(5, pool.blockCount());
        long base = region.segment().address();
        for (int i = 0; i < 5; i++) {
            long address = pool.allocAddress();
            assertEquals(0x8000_0000L + (address - base), pool.iovaMap(address));
        }
    }

    @Test
    void creationFollowsUadksEightySevenPercentRule() {
        // 8 blocks fit; floor(87 * 9 / 100) = 7 < 8: accepted with 8; floor(87 * 10 / 100) = 8: refused
        BlockPool nine = BlockPool.create(fourSlices(), new BlockPoolSetup(24 * K, 9, 4096));
        assertEquals(8, nine.blockCount());
        assertEquals(9, nine.setup().blockCount());
        WdAllocationException e = assertThrows(
                WdAllocationException.class,
                () -> BlockPool.create(fourSlices(), new BlockPoolSetup(24 * K, 10, 4096)));
        assertTrue(e.getMessage().contains("obtained=8 of requested blockCount=10"), e.getMessage());
        assertTrue(e.getMessage().contains("floor(87*blockCount/100)=8"), e.getMessage());
        assertTrue(new BlockPoolSetup(1, 100, 2).accepts(88));
        assertTrue(!new BlockPoolSetup(1, 100, 2).accepts(87));
    }

    @Test
    void interiorAddressesMapAndFree() {
        WdReservedMemory region = Regions.contiguous(arena, 64 * K, 0x4000_0000L);
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(3000, 16, 1024));
        long base = region.segment().address();
        MemorySegment block = pool.alloc();
        assertEquals(3000, block.byteSize());
        long iova = 0x4000_0000L + (block.address() - base);
        assertEquals(iova, pool.iovaMap(block.address()));
        assertEquals(iova + 2999, pool.iovaMap(block.address() + 2999));
        assertEquals(iova + 10, pool.iovaMap(block.address() + 10, 2990));
        assertMessage("runs past the end of the allocation", () -> pool.iovaMap(block.address() + 10, 2991));
        assertMessage("size=0", () -> pool.iovaMap(block.address(), 0));
        pool.iovaUnmap(block.address() + 10, iova + 10, 100);
        assertMessage("does not match", () -> pool.iovaUnmap(block.address() + 10, iova, 100));
        // padding between 3000 and the 3072 stride belongs to no block
        assertEquals(
                Reason.FOREIGN,
                assertThrows(WdOwnershipException.class, () -> pool.iovaMap(block.address() + 3000))
                        .reason());
        pool.freeAddress(block.address() + 1234);
        assertEquals(
                Reason.ALREADY_FREED,
                assertThrows(WdOwnershipException.class, () -> pool.iovaMap(block.address()))
                        .reason());
        assertEquals(
                Reason.ALREADY_FREED,
                assertThrows(WdOwnershipException.class, () -> pool.free(block)).reason());
        assertEquals(16, pool.freeBlocks());
    }

    @Test
    void foreignAddressesAreRefusedAndChangeNothing() {
        WdReservedMemory region = Regions.contiguous(arena, 64 * K, 0x4000_0000L);
        BlockPool pool = BlockPool.create(region, new BlockPoolSetup(4 * K, 16, 4096));
        long held = pool.allocAddress();
        long base = region.segment().address();
        for (long bad : new long[] {0, -1, base - 1, base + 64 * K, base + 64 * K + 5, Long.MIN_VALUE}) {
            assertEquals(
                    Reason.FOREIGN,
                    assertThrows(WdOwnershipException.class, () -> pool.freeAddress(bad))
                            .reason());
            assertThrows(WdOwnershipException.class, () -> pool.iovaMap(bad));
        }
        assertThrows(WdOwnershipException.class, () -> pool.free(MemorySegment.ofArray(new byte[16])));
        assertEquals(15, pool.freeBlocks());
        assertEquals(0x4000_0000L + held - base, pool.iovaMap(held));
    }

    @Test
    void exhaustionCountsFailuresAndRecovers() {
        BlockPool pool = BlockPool.create(Regions.contiguous(arena, 64 * K, 0), new BlockPoolSetup(4 * K, 16, 4096));
        long[] held = new long[16];
        for (int i = 0; i < 16; i++) {
            held[i] = pool.allocAddress();
            assertTrue(held[i] != BlockPool.NO_BLOCK);
        }
        assertEquals(0, pool.freeBlocks());
        assertEquals(BlockPool.NO_BLOCK, pool.allocAddress());
        WdAllocationException e = assertThrows(WdAllocationException.class, pool::alloc);
        assertTrue(e.getMessage().contains("allocFailures=2"), e.getMessage());
        assertEquals(2, pool.allocFailures());
        pool.freeAddress(held[7]);
        assertEquals(held[7], pool.allocAddress());
        for (long address : held) {
            pool.freeAddress(address);
        }
        assertEquals(16, pool.freeBlocks());
        assertEquals(2, pool.allocFailures());
    }

    @Test
    void destroyIsRefusedWhileBlocksAreOut() {
        BlockPool pool = BlockPool.create(Regions.contiguous(arena, 64 * K, 0), new BlockPoolSetup(4 * K, 16, 4096));
        long a = pool.allocAddress();
        long b = pool.allocAddress();
        IllegalStateException e = assertThrows(IllegalStateException.class, pool::destroy);
        assertTrue(e.getMessage().contains("outstanding=2"), e.getMessage());
        pool.freeAddress(a);
        assertEquals(b - 0 + 5 - b, pool.iovaMap(b + 5) - pool.iovaMap(b));
        pool.freeAddress(b);
        pool.destroy();
        pool.destroy();
        assertThrows(WdClosedException.class, pool::allocAddress);
        assertThrows(WdClosedException.class, () -> pool.freeAddress(a));
        assertThrows(WdClosedException.class, () -> pool.iovaMap(a));
        assertEquals(16, pool.freeBlocks());
    }

    /** An identity-mapping bridge over an arena (the SVA model), counting frees. */
    private WdMmBridge identityBridge(AtomicInteger frees, long breakEvery) {
        return WdMmBridge.of(
                arena,
                (a, size) -> a.allocate(size, 4096),
                (a, va) -> frees.incrementAndGet(),
                (a, va, size) -> {
                    if (breakEvery > 0 && va.address() / breakEvery != (va.address() + size - 1) / breakEvery) {
                        throw new WdMappingException(
                                va.address(), size, breakEvery - va.address() % breakEvery, "not contiguous");
                    }
                    return va.address();
                },
                (a, va, iova, size) -> {});
    }

    @Test
    void poolFromABridgeMapsEachBlockThroughIt() {
        AtomicInteger frees = new AtomicInteger();
        BlockPool pool = BlockPool.create(identityBridge(frees, 0), new BlockPoolSetup(1000, 10, 64));
        assertEquals(10, pool.blockCount());
        long address = pool.allocAddress();
        assertEquals(0, address % 64);
        assertEquals(address + 999, pool.iovaMap(address + 999));
        pool.freeAddress(address);
        pool.destroy();
        assertEquals(1, frees.get());
    }

    @Test
    void bridgeBlocksThatCannotBeMappedAreSkippedAndTheRuleApplies() {
        AtomicInteger frees = new AtomicInteger();
        // 3 KiB blocks at 4 KiB stride from a 4 KiB-aligned start never cross 8 KiB: all kept
        assertEquals(
                20,
                BlockPool.create(identityBridge(frees, 8 * K), new BlockPoolSetup(3 * K, 20, 4096))
                        .blockCount());
        // 6 KiB blocks at 6 KiB stride: every fourth candidate crosses an 8 KiB boundary... and more
        WdAllocationException e = assertThrows(
                WdAllocationException.class,
                () -> BlockPool.create(identityBridge(frees, 8 * K), new BlockPoolSetup(6 * K, 20, 2048)));
        assertTrue(e.getMessage().contains("of requested blockCount=20"), e.getMessage());
        assertEquals(1, frees.get(), "the refused pool's region is given back");
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
