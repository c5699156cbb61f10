package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link WdQueue} keeps. An implementation's test extends this class; queues whose
 * backend has a region source return true from {@link #reserves()} and get the reserved-memory
 * rules checked too. Every IOVA the queue gives, and every reserved slice's DMA address, is checked
 * against the {@link IovaOracle} the test names.
 */
@SuppressWarnings("restricted")
public abstract class WdQueueContractTest {
    /** The queue under test, opened before each test and closed after it. */
    protected WdQueue queue;

    /** For subclasses: a backend's queue contract test. */
    protected WdQueueContractTest() {}

    /**
     * How to check the queue's IOVAs without asking it (see {@link IovaOracle}); called after
     * {@link #newQueue()} in the same test.
     *
     * @return the oracle
     */
    protected abstract IovaOracle iovaOracle();

    /**
     * Opens a new queue over a new bridge.
     *
     * @return the queue
     */
    protected abstract WdQueue newQueue();

    /**
     * Closes whatever {@link #newQueue()} opened besides the queue (e.g. its bridge).
     */
    protected void closeExtras() {}

    /**
     * Whether the queue's backend can reserve memory.
     *
     * @return true if {@link WdQueue#reserveMemory} must succeed
     */
    protected abstract boolean reserves();

    @BeforeEach
    void openQueue() {
        queue = newQueue();
    }

    @AfterEach
    void closeQueue() {
        queue.close();
        closeExtras();
    }

    @Test
    void modeAndBridgeArePresent() {
        assertNotNull(queue.mode());
        assertNotNull(queue.bridge());
    }

    @Test
    void mapOfBridgeMemoryIsWhatTheBridgeGives() {
        MemorySegment segment = queue.bridge().alloc(256);
        long iova = queue.iovaMap(segment, 256);
        assertEquals(queue.bridge().iovaMap(segment, 256), iova);
        queue.iovaUnmap(segment, iova, 256);
        queue.bridge().free(segment);
    }

    @Test
    void badArgumentsAreRefused() {
        MemorySegment segment = queue.bridge().alloc(64);
        assertThrows(NullPointerException.class, () -> queue.iovaMap(null, 8));
        WdMmBridgeContractTest.assertMessage(
                assertThrows(IllegalArgumentException.class, () -> queue.iovaMap(segment, 0)), "size=0");
        WdMmBridgeContractTest.assertMessage(
                assertThrows(IllegalArgumentException.class, () -> queue.iovaMap(segment, -3)), "size=-3");
        assertThrows(IllegalArgumentException.class, () -> queue.iovaMap(segment, 65));
        assertThrows(IllegalArgumentException.class, () -> queue.iovaMap(WdMmBridgeContractTest.wrapping(), 64));
        assertThrows(IllegalArgumentException.class, () -> queue.iovaMap(MemorySegment.ofArray(new byte[8]), 8));
        long iova = queue.iovaMap(segment, 64);
        assertThrows(IllegalArgumentException.class, () -> queue.iovaUnmap(segment, iova + 64, 64));
        assertThrows(IllegalArgumentException.class, () -> queue.iovaUnmap(segment, iova, 0));
        assertThrows(IllegalArgumentException.class, () -> queue.reserveMemory(0));
        assertThrows(IllegalArgumentException.class, () -> queue.reserveMemory(-1));
        assertTrue(queue.reservedMemory().isEmpty(), "refused reservations reserve nothing");
        queue.bridge().free(segment);
    }

    @Test
    void reservationHappensOnceAndMapsBySliceArithmetic() {
        if (!reserves()) {
            assertThrows(IllegalStateException.class, () -> queue.reserveMemory(4096));
            return;
        }
        WdReservedMemory region = queue.reserveMemory(8192);
        assertTrue(region.segment().byteSize() >= 8192);
        assertEquals(region, queue.reservedMemory().orElseThrow());
        assertThrows(IllegalStateException.class, () -> queue.reserveMemory(4096));
        for (WdSlice slice : region.slices()) {
            MemorySegment inside = MemorySegment.ofAddress(slice.va() + 16).reinterpret(32);
            long iova = queue.iovaMap(inside, 32);
            assertEquals(slice.dma() + 16, iova);
            queue.iovaUnmap(inside, iova, 32);
            assertThrows(IllegalArgumentException.class, () -> queue.iovaUnmap(inside, iova + 1, 32));
        }
    }

    @Test
    void mapsAndReservedSlicesAgreeWithTheOracle() {
        IovaOracle oracle = iovaOracle();
        Skip.unlessUsable(getClass().getSimpleName() + ".mapsAndReservedSlicesAgreeWithTheOracle", oracle);
        MemorySegment segment = queue.bridge().alloc(256);
        long iova = queue.iovaMap(segment, 256);
        oracle.verify("queue.iovaMap", segment.address(), 256, iova);
        queue.iovaUnmap(segment, iova, 256);
        queue.bridge().free(segment);
        if (!reserves()) {
            return;
        }
        WdReservedMemory region = queue.reserveMemory(8192);
        for (WdSlice slice : region.slices()) {
            oracle.verify("reserved slice", slice.va(), slice.size(), slice.dma());
            MemorySegment last =
                    MemorySegment.ofAddress(slice.va() + slice.size() - 8).reinterpret(8);
            oracle.verify("queue.iovaMap of reserved memory", last.address(), 8, queue.iovaMap(last, 8));
        }
    }

    @Test
    void rangeCrossingSlicesIsRefusedNamingWhere() {
        if (!reserves()) {
            return;
        }
        WdReservedMemory region = queue.reserveMemory(8192);
        if (region.slices().size() < 2) {
            return;
        }
        WdSlice first = region.slices().getFirst();
        long start = first.va() + first.size() - 8;
        MemorySegment crossing = MemorySegment.ofAddress(start).reinterpret(16);
        WdMappingException e = assertThrows(WdMappingException.class, () -> queue.iovaMap(crossing, 16));
        WdMmBridgeContractTest.assertMessage(e, Hex.of(start));
    }

    @Test
    void concurrentMapsFromSeveralThreadsAgree() throws Exception {
        MemorySegment segment = queue.bridge().alloc(4096);
        long expected = queue.iovaMap(segment, 4096);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        long offset = (i * 64L) % 4096;
                        long iova = queue.iovaMap(segment.asSlice(offset), 64);
                        queue.iovaUnmap(segment.asSlice(offset), iova, 64);
                        if (iova != expected + offset) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> result : results) {
                assertTrue(result.get(), "a thread saw an IOVA other than " + Hex.of(expected) + " + offset");
            }
        } finally {
            pool.shutdownNow();
        }
        queue.bridge().free(segment);
    }

    @Test
    void everyOperationAfterCloseIsRefusedAndCloseIsIdempotent() {
        MemorySegment segment = queue.bridge().alloc(64);
        queue.close();
        queue.close();
        assertThrows(WdClosedException.class, () -> queue.iovaMap(segment, 64));
        assertThrows(WdClosedException.class, () -> queue.iovaUnmap(segment, segment.address(), 64));
        assertThrows(WdClosedException.class, () -> queue.reserveMemory(4096));
        assertThrows(WdClosedException.class, () -> queue.reservedMemory());
        queue.bridge().free(segment);
    }
}
