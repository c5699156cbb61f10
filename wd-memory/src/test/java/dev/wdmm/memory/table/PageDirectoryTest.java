package dev.wdmm.memory.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PageDirectoryTest {
    private static final long PAGE = 4096;
    private static final long BASE = 0x7f12_3400_0000L;

    private final PageDirectory<String> directory = PageDirectory.create(12);

    @Test
    void everyByteOfEveryPageOfTheRangeFindsItsOwnerAndNeighboursFindNothing() {
        directory.set(BASE + 100, 3 * PAGE, "a");
        for (long va = BASE; va < BASE + 4 * PAGE; va += 511) {
            assertSame("a", directory.find(va), "va=0x" + Long.toHexString(va));
        }
        assertSame("a", directory.find(BASE + 4 * PAGE - 1));
        assertNull(directory.find(BASE - 1));
        assertNull(directory.find(BASE + 4 * PAGE));
    }

    @Test
    void rangesSpanningLeafTablesAreHeldWhole() {
        long start = BASE + (4096 * PAGE) - 2 * PAGE;
        directory.set(start, 5 * PAGE, "wide");
        for (long page = 0; page < 5; page++) {
            assertSame("wide", directory.find(start + page * PAGE + 7));
        }
        assertNull(directory.find(start + 5 * PAGE));
    }

    @Test
    void clearForgetsOwnersAndSetReplacesThem() {
        directory.set(BASE, 2 * PAGE, "a");
        directory.clear(BASE, PAGE);
        assertNull(directory.find(BASE));
        assertSame("a", directory.find(BASE + PAGE));
        directory.set(BASE, 2 * PAGE, "b");
        assertSame("b", directory.find(BASE));
        assertSame("b", directory.find(BASE + PAGE));
        directory.clear(0x1000_0000_0000L, 64 * PAGE);
        assertNull(directory.find(0x1000_0000_0000L));
    }

    @Test
    void addressesOutsideTheUserRangeAreNeverHeld() {
        assertNull(directory.find(-1));
        assertNull(directory.find(Long.MIN_VALUE));
        assertNull(directory.find(1L << 48));
        assertNull(directory.find(0));
        directory.set((1L << 48) - PAGE, PAGE, "last");
        assertSame("last", directory.find((1L << 48) - 1));
        assertNull(directory.find(1L << 48));
    }

    @Test
    void badRangesAndOwnersAreRefusedAndChangeNothing() {
        directory.set(BASE, PAGE, "kept");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> directory.set(BASE, 0, "x")), "length=0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> directory.clear(BASE, -4)), "length=-4");
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> directory.set((1L << 48) - PAGE, 2 * PAGE, "x")),
                "va=0xfffffffff000");
        assertThrows(IllegalArgumentException.class, () -> directory.set(-PAGE, PAGE, "x"));
        assertThrows(IllegalArgumentException.class, () -> directory.clear(BASE, Long.MAX_VALUE));
        assertThrows(NullPointerException.class, () -> directory.set(BASE, PAGE, null));
        assertSame("kept", directory.find(BASE));
    }

    @Test
    void pageShiftOutsideTheSupportedRangeIsRefused() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> PageDirectory.create(11)), "pageShift=11");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> PageDirectory.create(41)), "pageShift=41");
        assertEquals(21, PageDirectory.create(21).pageShift());
        assertEquals(40, PageDirectory.create(40).pageShift());
    }

    @Test
    void hugePageDirectoriesIndexByTheirOwnPageSize() {
        PageDirectory<String> huge = PageDirectory.create(21);
        huge.set(BASE, 1, "chunk");
        assertSame("chunk", huge.find(BASE + (2L << 20) - 1));
        assertNull(huge.find(BASE + (2L << 20)));
    }

    @Test
    void everyPageShiftHoldsRangesFromTheBottomToTheTopOfTheUserRange() {
        for (int shift : new int[] {12, 16, 19, 20, 21, 30, 40}) {
            PageDirectory<String> sized = PageDirectory.create(shift);
            long page = 1L << shift;
            long topPage = (1L << PageDirectory.VA_BITS) - page;
            sized.set(topPage - page, 2 * page, "top");
            sized.set(0, page, "bottom");
            assertSame("top", sized.find(topPage - page), "shift=" + shift);
            assertSame("top", sized.find((1L << PageDirectory.VA_BITS) - 1), "shift=" + shift);
            assertSame("bottom", sized.find(page - 1), "shift=" + shift);
            assertNull(sized.find(1L << PageDirectory.VA_BITS), "shift=" + shift);
            if (topPage - 2 * page > page) {
                assertNull(sized.find(topPage - 2 * page), "shift=" + shift);
                assertNull(sized.find(page), "shift=" + shift);
            }
            sized.clear(topPage, page);
            assertNull(sized.find(topPage), "shift=" + shift);
            assertSame("top", sized.find(topPage - 1), "shift=" + shift);
        }
    }

    @Test
    void readersRacingWritersSeeTheOwnerOrNothingNeverAnotherRange() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> reader = pool.submit(() -> {
                boolean consistent = true;
                while (!stop.get()) {
                    for (long page = 0; page < 8; page++) {
                        String owner = directory.find(BASE + page * PAGE);
                        consistent &= owner == null || owner.equals(page < 4 ? "low" : "high");
                    }
                }
                return consistent;
            });
            for (int round = 0; round < 20_000; round++) {
                directory.set(BASE, 4 * PAGE, "low");
                directory.set(BASE + 4 * PAGE, 4 * PAGE, "high");
                directory.clear(BASE, 8 * PAGE);
            }
            stop.set(true);
            assertTrue(reader.get(30, TimeUnit.SECONDS), "a reader saw a page owned by another range");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertMessage(Exception e, String fragment) {
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks " + fragment);
    }
}
