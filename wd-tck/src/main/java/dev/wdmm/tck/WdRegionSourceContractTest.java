package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link WdRegionSource} keeps: a reservation covers what was asked, its slices'
 * DMA addresses agree with the {@link IovaOracle} the test names, reservations never overlap, bad
 * sizes are refused naming the value, and {@link WdRegionSource#release} refuses a region that is
 * not a live one of the source (a foreign one, or one released already) instead of releasing it
 * twice. A backend's test extends this class and implements {@link #newSource()} and
 * {@link #iovaOracle()}.
 */
public abstract class WdRegionSourceContractTest {

    /** For subclasses: a backend's region source contract test. */
    protected WdRegionSourceContractTest() {}

    /**
     * The region source under test; called once per test.
     *
     * @return a source
     */
    protected abstract WdRegionSource newSource();

    /**
     * How to check the slices' DMA addresses without asking the source (see {@link IovaOracle}).
     *
     * @return the oracle
     */
    protected abstract IovaOracle iovaOracle();

    /**
     * The size the tests reserve.
     *
     * @return bytes, 8 KiB unless overridden
     */
    protected long reservationSize() {
        return 8192;
    }

    @Test
    void aReservationCoversTheSizeIsUsableAndAgreesWithTheOracle() {
        IovaOracle oracle = iovaOracle();
        Skip.unlessUsable(
                getClass().getSimpleName() + ".aReservationCoversTheSizeIsUsableAndAgreesWithTheOracle", oracle);
        WdRegionSource source = newSource();
        WdReservedMemory region = source.reserve(reservationSize());
        try {
            MemorySegment segment = region.segment();
            assertTrue(
                    segment.byteSize() >= reservationSize(),
                    () -> "region va=" + Hex.of(segment.address()) + " size=" + segment.byteSize() + " < "
                            + reservationSize());
            assertFalse(region.slices().isEmpty(), "a region has at least one slice");
            segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            segment.set(ValueLayout.JAVA_BYTE, segment.byteSize() - 1, (byte) 2);
            for (WdSlice slice : region.slices()) {
                oracle.verify("reserved slice", slice.va(), slice.size(), slice.dma());
            }
        } finally {
            source.release(region);
        }
    }

    @Test
    void badSizesAreRefusedNamingTheValue() {
        WdRegionSource source = newSource();
        for (long size : new long[] {0, -1, Long.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.reserve(size));
            WdMmBridgeContractTest.assertMessage(e, "size=" + size);
        }
    }

    @Test
    void releaseRefusesForeignAndAlreadyReleasedRegions() {
        WdRegionSource source = newSource();
        WdReservedMemory region = source.reserve(reservationSize());
        source.release(region);
        assertThrows(
                IllegalArgumentException.class,
                () -> source.release(region),
                () -> "a second release of region va=" + Hex.of(region.segment().address()) + " was accepted");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(4096, 4096);
            WdReservedMemory foreign =
                    new WdReservedMemory(memory, List.of(new WdSlice(memory.address(), memory.address(), 4096)));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> source.release(foreign),
                    () -> "release of a region the source never reserved (va=" + Hex.of(memory.address())
                            + ") was accepted");
        }
        assertThrows(NullPointerException.class, () -> source.release(null));
    }

    @Test
    void concurrentReservationsNeverOverlap() throws Exception {
        WdRegionSource source = newSource();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<WdReservedMemory> regions = new ArrayList<>();
        try {
            List<Future<WdReservedMemory>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> source.reserve(reservationSize())));
            }
            for (Future<WdReservedMemory> future : futures) {
                regions.add(future.get());
            }
            for (int i = 0; i < regions.size(); i++) {
                for (int j = i + 1; j < regions.size(); j++) {
                    requireApart(regions.get(i), regions.get(j));
                }
            }
        } finally {
            pool.shutdownNow();
            regions.forEach(source::release);
        }
    }

    private static void requireApart(WdReservedMemory a, WdReservedMemory b) {
        for (WdSlice x : a.slices()) {
            for (WdSlice y : b.slices()) {
                boolean va = x.va() < y.va() + y.size() && y.va() < x.va() + x.size();
                boolean dma = x.dma() < y.dma() + y.size() && y.dma() < x.dma() + x.size();
                if (va || dma) {
                    throw new AssertionError("two live reservations overlap: slice va=" + Hex.of(x.va()) + " dma="
                            + Hex.of(x.dma()) + " size=" + x.size() + " and slice va=" + Hex.of(y.va()) + " dma="
                            + Hex.of(y.dma()) + " size=" + y.size());
                }
            }
        }
    }
}
