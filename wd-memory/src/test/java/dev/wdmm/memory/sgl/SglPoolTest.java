package dev.wdmm.memory.sgl;

import static dev.wdmm.memory.sgl.LittleEndian.read;
import static dev.wdmm.memory.sgl.LittleEndian.zero;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SglPoolTest {
    private static final long DMA = 0x5_0000_0000L;
    private final Arena arena = Arena.ofShared();
    private final SglPoolSetup setup = new SglPoolSetup(8, 4, 2, 2048, 64);
    private final WdReservedMemory region = region(64 * 1024);
    private final SglPool pool = SglPool.create(region, setup);

    private WdReservedMemory region(long size) {
        MemorySegment segment = arena.allocate(size, 4096);
        return new WdReservedMemory(segment, List.of(new WdSlice(segment.address(), DMA, size)));
    }

    @AfterEach
    void close() {
        arena.close();
    }

    /** The VA the test's own slice table gives for a DMA address, as an offset into the region. */
    private long offsetOf(long dma) {
        return dma - DMA;
    }

    private MemorySegment memory() {
        return region.segment();
    }

    @Test
    void setupRefusesEveryBadValue() {
        assertMessage("sglCount=0", () -> new SglPoolSetup(0, 4, 2, 2048, 64));
        assertMessage("sglCount=2049", () -> new SglPoolSetup(2049, 4, 2, 2048, 64));
        assertMessage("entriesPerSgl=0", () -> new SglPoolSetup(1, 0, 1, 2048, 64));
        assertMessage("entriesPerSgl=61", () -> new SglPoolSetup(1, 61, 1, 2048, 64));
        assertMessage("buffersPerSgl=0", () -> new SglPoolSetup(1, 4, 0, 2048, 64));
        assertMessage("buffersPerSgl=5 must be in [1, entriesPerSgl=4]", () -> new SglPoolSetup(1, 4, 5, 2048, 64));
        assertMessage("bufferSize=2047", () -> new SglPoolSetup(1, 4, 2, 2047, 64));
        assertMessage("bufferSize=8388609", () -> new SglPoolSetup(1, 4, 2, (8L << 20) + 1, 64));
        assertMessage("alignment=4", () -> new SglPoolSetup(1, 4, 2, 2048, 4));
        assertMessage("alignment=4096", () -> new SglPoolSetup(1, 4, 2, 2048, 4096));
        assertMessage("alignment=48", () -> new SglPoolSetup(1, 4, 2, 2048, 48));
        assertEquals(2048 * 60, new SglPoolSetup(2048, 60, 60, 2048, 2048).sglBytes() / 1);
    }

    @Test
    void chainOfThreeHasTheHardwareLayoutByteByByte() {
        Sgl chain = pool.alloc(2 * 4096 + 100);
        assertEquals(3, chain.sglCount());
        assertEquals(5, chain.entryCount());
        assertEquals(8292, chain.size());
        long image = offsetOf(chain.dma());
        assertEquals(chain.image().address(), memory().address() + image);
        int[] entries = {2, 2, 1};
        int[] chainEntries = {5, 3, 1};
        int k = 0;
        for (int s = 0; s < 3; s++) {
            long next = read(memory(), image, 8);
            assertEquals(chainEntries[s], read(memory(), image + 8, 2));
            assertEquals(entries[s], read(memory(), image + 10, 2));
            assertEquals(4, read(memory(), image + 12, 2));
            assertTrue(zero(memory(), image + 14, 50), "header padding");
            for (int e = 0; e < 4; e++) {
                long entry = image + 64 + 32L * e;
                if (e >= entries[s]) {
                    assertTrue(zero(memory(), entry, 32), "unused entry " + e);
                    continue;
                }
                MemorySegment buffer = chain.buffer(k++);
                assertEquals(buffer.address(), memory().address() + offsetOf(read(memory(), entry, 8)));
                assertEquals(0, read(memory(), entry + 8, 8), "reserved");
                assertEquals(buffer.byteSize(), read(memory(), entry + 16, 4));
                assertEquals(s == 2 ? 100 : 2048, read(memory(), entry + 16, 4));
                assertTrue(zero(memory(), entry + 20, 12), "entry padding");
            }
            if (s == 2) {
                assertEquals(0, next);
            } else {
                assertTrue(next != 0);
                image = offsetOf(next);
            }
        }
        assertEquals(5, k);
        assertEquals(chain.buffer(0), chain.firstBuffer());
        assertEquals(100, chain.lastBuffer().byteSize());
        assertThrows(IndexOutOfBoundsException.class, () -> chain.buffer(5));
        assertEquals(5, pool.freeSgls());
    }

    @Test
    void copiesHonourOffsetAndReportTruncation() {
        Sgl chain = pool.alloc(2 * 4096 + 100);
        byte[] data = new byte[9000];
        new SplittableRandom(7).nextBytes(data);
        MemorySegment source = arena.allocate(data.length);
        MemorySegment.copy(data, 0, source, ValueLayout.JAVA_BYTE, 0, data.length);
        assertEquals(9000 - (8292 - 100), chain.copyFrom(100, source));
        byte[] inBuffers = new byte[8292];
        int at = 0;
        for (int k = 0; k < chain.entryCount(); k++) {
            byte[] piece = chain.buffer(k).toArray(ValueLayout.JAVA_BYTE);
            System.arraycopy(piece, 0, inBuffers, at, piece.length);
            at += piece.length;
        }
        assertArrayEquals(
                java.util.Arrays.copyOfRange(data, 0, 8192), java.util.Arrays.copyOfRange(inBuffers, 100, 8292));
        MemorySegment target = arena.allocate(9000);
        assertEquals(808, chain.copyTo(100, target));
        assertArrayEquals(
                java.util.Arrays.copyOfRange(data, 0, 8192),
                target.asSlice(0, 8192).toArray(ValueLayout.JAVA_BYTE));
        MemorySegment small = arena.allocate(10);
        assertEquals(0, chain.copyTo(4095, small));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 3995, 4005), small.toArray(ValueLayout.JAVA_BYTE));
        assertMessage("offset=8292", () -> chain.copyTo(8292, small));
        assertMessage("offset=-1", () -> chain.copyFrom(-1, small));
        assertThrows(NullPointerException.class, () -> chain.copyFrom(0, null));
    }

    @Test
    void mergeLinksTwoSingleSglsAndKeepsUadksRefusals() {
        Sgl a = pool.alloc(100);
        Sgl b = pool.alloc(3000);
        Sgl c = pool.alloc(10);
        Sgl three = pool.alloc(2 * 4096 + 1);
        long bDma = b.dma();
        assertMessage("same SGL", () -> pool.merge(a, a));
        assertMessage("not chained", () -> pool.merge(a, three));
        assertMessage("not chained", () -> pool.merge(three, a));
        SglPool other = SglPool.create(region(64 * 1024), setup);
        Sgl foreign = other.alloc(10);
        assertMessage("not from this pool", () -> pool.merge(a, foreign));
        assertThrows(NullPointerException.class, () -> pool.merge(a, null));
        pool.merge(a, b);
        assertEquals(2, a.sglCount());
        assertEquals(3100, a.size());
        assertEquals(3, a.entryCount());
        long image = offsetOf(a.dma());
        assertEquals(bDma, read(memory(), image, 8));
        assertEquals(3, read(memory(), image + 8, 2));
        assertEquals(1, read(memory(), image + 10, 2));
        assertEquals(2, read(memory(), offsetOf(bDma) + 8, 2));
        assertMessage("merged into another chain", () -> pool.free(b));
        assertState("merged into another chain", () -> b.size());
        assertMessage("not chained", () -> pool.merge(a, c));
        assertMessage("not chained", () -> pool.merge(c, a));
        pool.free(c);
        Sgl d = pool.alloc(10);
        assertMessage("already freed", () -> pool.merge(d, c));
        pool.free(a);
        pool.free(d);
        pool.free(three);
        assertEquals(8, pool.freeSgls());
        other.free(foreign);
    }

    @Test
    void badAllocationsAreRefusedAndExhaustionIsCounted() {
        assertMessage("size=0", () -> pool.alloc(0));
        assertMessage("size=-1", () -> pool.alloc(-1));
        assertMessage("size=1048577", () -> pool.alloc(256 * 4096 + 1));
        assertMessage("size=32769 needs sgls=9 but the pool has only sglCount=8", () -> pool.alloc(8 * 4096 + 1));
        assertEquals(0, pool.allocFailures());
        Sgl all = pool.alloc(8 * 4096);
        assertEquals(8, all.sglCount());
        WdAllocationException e = assertThrows(WdAllocationException.class, () -> pool.alloc(1));
        assertTrue(e.getMessage().contains("freeSgls=0"), e.getMessage());
        assertEquals(1, pool.allocFailures());
        assertThrows(IllegalStateException.class, pool::destroy);
        pool.free(all);
        assertMessage("already freed", () -> pool.free(all));
        assertState("already freed", () -> all.dma());
        assertEquals(8, pool.freeSgls());
        pool.destroy();
        pool.destroy();
        assertThrows(WdClosedException.class, () -> pool.alloc(1));
    }

    @Test
    void blockPoolsThatCannotHoldThePoolAreRefusedAndKeepTheirBlocks() {
        BlockPool small = BlockPool.create(region(64 * 1024), new BlockPoolSetup(1024, 40, 64));
        assertMessage("blockSize=1024 must be >= max(bufferSize=2048", () -> SglPool.create(small, setup));
        BlockPool looselyAligned = BlockPool.create(region(64 * 1024), new BlockPoolSetup(2048, 24, 32));
        assertMessage("alignment=32 must be >= alignment=64", () -> SglPool.create(looselyAligned, setup));
        BlockPool few = BlockPool.create(region(64 * 1024), new BlockPoolSetup(2048, 23, 64));
        assertThrows(WdAllocationException.class, () -> SglPool.create(few, setup));
        assertEquals(23, few.freeBlocks());
        BlockPool enough = BlockPool.create(region(64 * 1024), new BlockPoolSetup(2048, 25, 64));
        SglPool shared = SglPool.create(enough, setup);
        assertEquals(1, enough.freeBlocks());
        shared.destroy();
        assertEquals(25, enough.freeBlocks());
        enough.destroy();
    }

    /** A freed or merged handle's own methods throw IllegalStateException, as Sgl promises. */
    private static void assertState(String expected, Runnable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
