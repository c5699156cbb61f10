package dev.wdmm.memory.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.table.PageDirectory;
import dev.wdmm.memory.table.TranslationTable;
import dev.wdmm.memory.testing.Jvm;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate no Java memory: measured with the JVM's per-thread allocation counter
 * over many calls (a few hundred bytes of slack cover the counter's own granularity).
 */
class GarbageFreeHotPathTest {
    private static final int CALLS = 200_000;
    private static final long SLACK = 4096;

    @Test
    void allocFreeAndMapOfAddressesAllocateNothing() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = BlockPool.create(
                    Regions.contiguous(arena, 256 * 4096, 0x9_0000_0000L), new BlockPoolSetup(4096, 256, 4096));
            long sink = run(pool);
            long before = Jvm.allocatedBytes();
            sink += run(pool);
            long used = Jvm.allocatedBytes() - before;
            assertTrue(used < SLACK, "allocated " + used + " bytes over " + CALLS + " alloc/map/free");
            assertTrue(sink != 0);
            assertEquals(256, pool.freeBlocks());
        }
    }

    private static long run(BlockPool pool) {
        long sink = 0;
        long[] held = new long[8];
        for (int i = 0; i < CALLS; i++) {
            int slot = i & 7;
            if (held[slot] != 0) {
                pool.freeAddress(held[slot] + (i & 4095));
            }
            held[slot] = pool.allocAddress();
            sink += pool.iovaMap(held[slot] + (i & 4095));
            sink += pool.iovaMap(held[slot], 4096);
        }
        for (long address : held) {
            pool.freeAddress(address);
        }
        return sink;
    }

    @Test
    void runAllocFreeAndMapOfAddressesAllocateNothingAfterTheFirst() {
        try (Arena arena = Arena.ofShared()) {
            BlockPool pool = BlockPool.create(
                    Regions.contiguous(arena, 256 * 4096, 0x9_0000_0000L), new BlockPoolSetup(4096, 256, 4096));
            long sink = runs(pool, 2_000);
            long before = Jvm.allocatedBytes();
            sink += runs(pool, 20_000);
            long used = Jvm.allocatedBytes() - before;
            assertTrue(used < SLACK, "allocated " + used + " bytes over 20000 run alloc/map/free");
            assertTrue(sink != 0);
            assertEquals(256, pool.freeBlocks());
        }
    }

    private static long runs(BlockPool pool, int calls) {
        long sink = 0;
        long[] held = new long[8];
        for (int i = 0; i < calls; i++) {
            int slot = i & 7;
            if (held[slot] != 0) {
                pool.freeAddress(held[slot]);
            }
            long size = 4096L * (2 + (i % 7));
            held[slot] = pool.allocAddress(size);
            sink += pool.iovaMap(held[slot] + size - 1) + pool.iovaMap(held[slot], size);
            sink += pool.allocationStart(held[slot] + 4096);
        }
        for (long address : held) {
            pool.freeAddress(address);
        }
        return sink;
    }

    @Test
    void translationLookupsAllocateNothing() {
        TranslationTable table = TranslationTable.create();
        long va = 0x5000_0000_0000L;
        table.register(va, 0x8_0000_0000L, 16L << 21);
        long sink = lookups(table, va);
        long before = Jvm.allocatedBytes();
        sink += lookups(table, va);
        long used = Jvm.allocatedBytes() - before;
        assertTrue(used < SLACK, "allocated " + used + " bytes over " + CALLS + " lookups");
        assertTrue(sink != 0);
    }

    private static long lookups(TranslationTable table, long va) {
        long sink = 0;
        for (int i = 0; i < CALLS; i++) {
            long address = va + ((i * 7919L) & ((16L << 21) - 1));
            sink += table.lookup(address) + table.translate(address) + table.contiguousLength(address, 1 << 20);
            sink += table.translate(va + 100, (8L << 21) - 100);
        }
        return sink;
    }

    @Test
    void pageDirectoryLookupsAllocateNothing() {
        PageDirectory<String> directory = PageDirectory.create(12);
        long va = 0x5000_0000_0000L;
        directory.set(va, 64L << 12, "owner");
        long sink = finds(directory, va);
        long before = Jvm.allocatedBytes();
        sink += finds(directory, va);
        long used = Jvm.allocatedBytes() - before;
        assertTrue(used < SLACK, "allocated " + used + " bytes over " + CALLS + " directory lookups");
        assertTrue(sink != 0);
    }

    private static long finds(PageDirectory<String> directory, long va) {
        long sink = 0;
        for (int i = 0; i < CALLS; i++) {
            String owner = directory.find(va + ((i * 7919L) & ((64L << 12) - 1)));
            sink += owner.length();
            sink += directory.find(va - 1 - i) == null ? 1 : 0;
        }
        return sink;
    }
}
