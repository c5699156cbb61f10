package dev.wdmm.memory.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMappingException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TranslationTableTest {
    private static final long MIB2 = 2L << 20;

    /** The independent truth: a plain list of registered regions searched linearly. */
    private record Region(long va, long iova, long length) {
        long translate(long address) {
            long offset = address - va;
            return offset >= 0 && offset < length ? iova + offset : TranslationTable.NOT_MAPPED;
        }
    }

    private static long truth(List<Region> regions, long address) {
        for (Region r : regions) {
            long iova = r.translate(address);
            if (iova != TranslationTable.NOT_MAPPED) {
                return iova;
            }
        }
        return TranslationTable.NOT_MAPPED;
    }

    @Test
    void randomInteriorAddressesMatchTheRegisteredTruth() {
        SplittableRandom random = new SplittableRandom(42);
        TranslationTable table = TranslationTable.create();
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long va = (random.nextLong(1L << 26) << 21) & ((1L << 47) - 1);
            long length = MIB2 * (1 + random.nextInt(8));
            long iova = random.nextLong(1L << 40) << 21;
            try {
                table.register(va, iova, length);
                regions.add(new Region(va, iova, length));
            } catch (IllegalArgumentException overlap) {
                assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
            }
        }
        assertEquals(regions.size(), table.regionCount());
        for (int i = 0; i < 100_000; i++) {
            Region r = regions.get(random.nextInt(regions.size()));
            long address = r.va() + random.nextLong(r.length());
            assertEquals(r.iova() + (address - r.va()), table.lookup(address));
            assertEquals(truth(regions, address), table.translate(address));
            long outside = random.nextLong(1L << 47);
            assertEquals(truth(regions, outside), table.lookup(outside));
        }
    }

    @Test
    void firstAndLastByteOfARegionTranslateAndTheirNeighboursDoNot() {
        TranslationTable table = TranslationTable.create(4096, 48);
        table.register(0x10_0000, 0x7000_0000L, 0x3000);
        assertEquals(0x7000_0000L, table.lookup(0x10_0000));
        assertEquals(0x7000_2fffL, table.lookup(0x10_2fff));
        assertEquals(TranslationTable.NOT_MAPPED, table.lookup(0x10_3000));
        assertEquals(TranslationTable.NOT_MAPPED, table.lookup(0x0f_ffff));
        assertEquals(TranslationTable.NOT_MAPPED, table.lookup(-1L));
        assertEquals(TranslationTable.NOT_MAPPED, table.lookup(1L << 48));
        WdMappingException e = assertThrows(WdMappingException.class, () -> table.translate(0x10_3000));
        assertEquals(-1, e.breakOffset());
    }

    @Test
    void rangeAcrossNonAdjacentGranulesFailsAtTheBoundary() {
        TranslationTable table = TranslationTable.create();
        long va = 0x4000_0000L;
        table.register(va, 0x1_0000_0000L, MIB2);
        table.register(va + MIB2, 0x1_0000_0000L + MIB2, MIB2);
        table.register(va + 2 * MIB2, 0x9_0000_0000L, MIB2);
        assertEquals(0x1_0000_0000L + 100, table.translate(va + 100, 2 * MIB2 - 100));
        WdMappingException e = assertThrows(WdMappingException.class, () -> table.translate(va + 100, 2 * MIB2));
        assertEquals(2 * MIB2 - 100, e.breakOffset());
        assertEquals(va + 100, e.address());
        assertTrue(e.getMessage().contains("breakOffset=" + (2 * MIB2 - 100)), e.getMessage());
        assertEquals(2 * MIB2 - 100, table.contiguousLength(va + 100, 10 * MIB2));
        assertEquals(50, table.contiguousLength(va + 100, 50));
        assertEquals(MIB2, table.contiguousLength(va + 2 * MIB2, 10 * MIB2));
        WdMappingException end = assertThrows(WdMappingException.class, () -> table.translate(va + 2 * MIB2, MIB2 + 1));
        assertEquals(MIB2, end.breakOffset());
        assertEquals(0, table.contiguousLength(va + 3 * MIB2, 10));
        WdMappingException outside = assertThrows(WdMappingException.class, () -> table.translate(va - 1, 2));
        assertEquals(-1, outside.breakOffset());
        assertEquals(2, outside.size());
    }

    @Test
    void unregisterRemovesExactlyTheRegion() {
        TranslationTable table = TranslationTable.create();
        table.register(0, 0x8000_0000L, 2 * MIB2);
        table.register(2 * MIB2, 0x9000_0000L, MIB2);
        assertEquals(2 * MIB2, table.unregister(0));
        assertEquals(TranslationTable.NOT_MAPPED, table.lookup(5));
        assertEquals(0x9000_0005L, table.lookup(2 * MIB2 + 5));
        assertThrows(IllegalArgumentException.class, () -> table.unregister(0));
        assertThrows(IllegalArgumentException.class, () -> table.unregister(2 * MIB2 + 4096));
        table.register(0, 0x1000_0000L, MIB2);
        assertEquals(0x1000_0007L, table.lookup(7));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        TranslationTable table = TranslationTable.create();
        table.register(4 * MIB2, 0, MIB2);
        assertMessage("granule=3000", () -> TranslationTable.create(3000, 48));
        assertMessage("granule=2048", () -> TranslationTable.create(2048, 48));
        assertMessage("vaBits=60", () -> TranslationTable.create(MIB2, 60));
        assertMessage("length=0", () -> table.register(0, 0, 0));
        assertMessage("length=-2097152", () -> table.register(0, 0, -MIB2));
        assertMessage("va=0x1000 must be aligned", () -> table.register(0x1000, 0, MIB2));
        assertMessage("length=4096 must be a multiple", () -> table.register(0, 0, 4096));
        assertMessage("overlaps", () -> table.register(3 * MIB2, 0, 2 * MIB2));
        assertMessage("must lie below 2^48", () -> table.register(1L << 48, 0, MIB2));
        assertMessage("must lie below 2^48", () -> table.register((1L << 48) - MIB2, 0, 2 * MIB2));
        assertMessage("wraps", () -> table.register(0, -MIB2, 2 * MIB2));
        assertMessage("size=0", () -> table.translate(4 * MIB2, 0));
        assertMessage("wraps", () -> table.translate(-10, 100));
        assertEquals(1, table.regionCount());
        assertEquals(5, table.lookup(4 * MIB2 + 5));
        assertEquals(TranslationTable.NOT_MAPPED, table.lookup(3 * MIB2));
    }

    @Test
    void oneGigabyteGranulesWork() {
        TranslationTable table = TranslationTable.create(1L << 30, 48);
        table.register(1L << 30, 0x40_0000_0000L, 2L << 30);
        assertEquals(0x40_0000_0000L + (1L << 30) + 3, table.lookup((2L << 30) + 3));
        assertEquals(2L << 30, table.contiguousLength(1L << 30, 5L << 30));
    }

    @Test
    void readersSeeOldOrNewValueWhileWritersChurn() throws Exception {
        TranslationTable table = TranslationTable.create(4096, 48);
        long stableVa = 0x7f00_0000_0000L;
        table.register(stableVa, 0x1234_5000L, 64 * 4096);
        long churnVa = 0x7f00_1000_0000L;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int seed = t;
            readers.add(Thread.ofPlatform().start(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (!stop.get()) {
                    long off = random.nextLong(64 * 4096);
                    if (table.lookup(stableVa + off) != 0x1234_5000L + off) {
                        failure.set("stable va offset " + off);
                    }
                    long churn = table.lookup(churnVa + off);
                    if (churn != TranslationTable.NOT_MAPPED && (churn - off) % 0x100_0000L != 0) {
                        failure.set("torn churn value " + Long.toHexString(churn));
                    }
                    reads.incrementAndGet();
                }
            }));
        }
        for (int round = 1; round <= 2_000; round++) {
            table.register(churnVa, round * 0x100_0000L, 64 * 4096);
            table.unregister(churnVa);
        }
        while (reads.get() < 10_000) {
            Thread.onSpinWait();
        }
        stop.set(true);
        for (Thread reader : readers) {
            reader.join();
        }
        assertEquals(null, failure.get());
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
