package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link WdMmBridge} keeps (the interface's javadoc and SPEC 6), in one class: a
 * backend's test extends it (its name ending in {@code Test}), implements {@link #newBridge()} and
 * {@link #iovaOracle()}, and gets the JUnit rules below, the IOVA oracle and single-thread churn
 * rules of {@link WdMmBridgeIovaRules} and the jqwik bad-input properties of
 * {@link WdMmBridgeContractProperties}.
 *
 * <p>Each JUnit test opens its bridge before it runs and closes it afterwards; each property try
 * opens its own.
 */
public abstract class WdMmBridgeContractTest extends WdMmBridgeIovaRules {

    /** For subclasses: a backend's contract test. */
    protected WdMmBridgeContractTest() {}

    @Test
    void allocReturnsNativeSegmentOfExactSize() {
        for (long size : new long[] {1, 7, 64, 4096, 65_536}) {
            MemorySegment segment = bridge.alloc(size);
            assertTrue(segment.isNative(), "native");
            assertEquals(size, segment.byteSize());
            assertEquals(
                    0,
                    segment.address() % minimumAlignment(),
                    () -> "va=" + Hex.of(segment.address()) + " not aligned to " + minimumAlignment());
            bridge.free(segment);
        }
    }

    @Test
    void writtenDataReadsBack() {
        MemorySegment segment = bridge.alloc(8192);
        for (long i = 0; i < segment.byteSize(); i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
        }
        for (long i = 0; i < segment.byteSize(); i++) {
            assertEquals((byte) (i * 31), segment.get(ValueLayout.JAVA_BYTE, i));
        }
        bridge.free(segment);
    }

    @Test
    void allocOfZeroOrNegativeSizeIsRefused() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> bridge.alloc(0));
        assertTrue(zero.getMessage().contains("size=0"), zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> bridge.alloc(-5));
        assertTrue(negative.getMessage().contains("size=-5"), negative.getMessage());
    }

    @Test
    void allocOfAbsurdSizeFailsCleanly() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> bridge.alloc(Long.MAX_VALUE));
        assertTrue(e instanceof IllegalArgumentException || e instanceof WdAllocationException, e.toString());
        MemorySegment still = bridge.alloc(64);
        bridge.free(still);
    }

    @Test
    void freeOfNullIsRefused() {
        assertThrows(NullPointerException.class, () -> bridge.free(null));
    }

    @Test
    void freeOfHeapSegmentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> bridge.free(MemorySegment.ofArray(new byte[64])));
    }

    @Test
    void freeOfForeignMemoryIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64);
            WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> bridge.free(foreign));
            assertEquals(WdOwnershipException.Reason.FOREIGN, e.reason());
            assertEquals(foreign.address(), e.address());
        }
    }

    @Test
    void freeOfInteriorAddressIsRefusedAndChangesNothing() {
        MemorySegment segment = bridge.alloc(256);
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> bridge.free(segment.asSlice(16)));
        assertEquals(WdOwnershipException.Reason.INTERIOR, e.reason());
        assertTrue(e.getMessage().contains(Hex.of(segment.address() + 16)), e.getMessage());
        bridge.iovaMap(segment, 256);
        bridge.free(segment);
    }

    @Test
    void doubleFreeIsRefused() {
        MemorySegment segment = bridge.alloc(128);
        bridge.free(segment);
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> bridge.free(segment));
        assertEquals(WdOwnershipException.Reason.ALREADY_FREED, e.reason());
    }

    @Test
    void freeAcceptsSegmentRebuiltFromTheAddress() {
        MemorySegment segment = bridge.alloc(128);
        bridge.free(MemorySegment.ofAddress(segment.address()));
    }

    @Test
    void mapOfInteriorRangeIsLinearWithinSmallAllocation() {
        MemorySegment segment = bridge.alloc(64);
        long base = bridge.iovaMap(segment, 64);
        assertEquals(base + 8, bridge.iovaMap(segment.asSlice(8), 16));
        bridge.free(segment);
    }

    @Test
    void mapIsStableAndUnmapOfWhatMapGaveIsAccepted() {
        MemorySegment segment = bridge.alloc(4096);
        long iova = bridge.iovaMap(segment, 4096);
        assertEquals(iova, bridge.iovaMap(segment, 4096));
        bridge.iovaUnmap(segment, iova, 4096);
        bridge.free(segment);
    }

    @Test
    void mapOfNullZeroNegativeOrOversizedRangeIsRefused() {
        MemorySegment segment = bridge.alloc(128);
        assertThrows(NullPointerException.class, () -> bridge.iovaMap(null, 8));
        assertMessage(assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(segment, 0)), "size=0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(segment, -1)), "size=-1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(segment, 129)), "size=129");
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(MemorySegment.ofArray(new byte[8]), 8));
        bridge.free(segment);
    }

    @Test
    void mapOfWrappingRangeIsRefused() {
        MemorySegment top = wrapping();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(top, 64));
        assertMessage(e, "size=64");
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(top, top.address(), 64));
    }

    @Test
    void mapOfForeignMemoryIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(foreign, 64));
        }
    }

    @Test
    void mapOfFreedMemoryIsRefused() {
        MemorySegment segment = bridge.alloc(64);
        bridge.free(segment);
        assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(segment, 64));
    }

    @SuppressWarnings("restricted")
    @Test
    void mapRunningPastTheAllocationIsRefused() {
        MemorySegment segment = bridge.alloc(64);
        MemorySegment wide = segment.reinterpret(1 << 20);
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(wide, 1 << 20));
        bridge.free(segment);
    }

    @Test
    void unmapWithMismatchedIovaIsRefused() {
        MemorySegment segment = bridge.alloc(256);
        long iova = bridge.iovaMap(segment, 256);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(segment, iova + 4096, 256));
        assertMessage(e, Hex.of(iova + 4096));
        assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(segment, iova, 0));
        assertThrows(NullPointerException.class, () -> bridge.iovaUnmap(null, iova, 256));
        bridge.iovaUnmap(segment, iova, 256);
        bridge.free(segment);
    }

    @Test
    void unmapOfForeignMemoryIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(64);
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(foreign, foreign.address(), 64));
        }
    }

    @Test
    void unwrapGivesTheBridgeItselfOrNothingAndRefusesNull() {
        assertThrows(NullPointerException.class, () -> bridge.unwrap(null));
        assertTrue(bridge.unwrap(WdMmBridge.class).isPresent(), "every bridge is a WdMmBridge");
        assertTrue(bridge.unwrap(Runnable.class).isEmpty(), "a bridge is no Runnable");
    }

    @Test
    @SuppressWarnings("restricted") // a segment over an address the bridge just handed out
    void addressAccessAgreesWithTheSegmentApi() {
        WdAddressAccess addresses = bridge.unwrap(WdAddressAccess.class).orElse(null);
        if (addresses == null) {
            // not offered: then no downcast may reach it either (the capability is unwrap's to give)
            assertFalse(bridge instanceof WdAddressAccess, "implements WdAddressAccess but unwrap hides it");
            return;
        }
        long size = Math.min(4096, bridge.bufferSize().orElse(4096));
        long address = addresses.allocAddress(size);
        MemorySegment segment = MemorySegment.ofAddress(address).reinterpret(size);
        assertEquals(bridge.iovaMap(segment, size), addresses.iovaMapAddress(address, size));
        assertThrows(IllegalArgumentException.class, () -> addresses.allocAddress(0));
        assertThrows(IllegalArgumentException.class, () -> addresses.iovaMapAddress(address, 0));
        bridge.free(segment);
        assertThrows(WdOwnershipException.class, () -> addresses.freeAddress(address), "freed through free(segment)");
        assertThrows(WdOwnershipException.class, () -> addresses.iovaMapAddress(address, 1));
        MemorySegment viaSegment = bridge.alloc(size);
        addresses.freeAddress(viaSegment.address());
        assertThrows(WdOwnershipException.class, () -> bridge.free(viaSegment), "freed through freeAddress");
        bridge.close();
        assertThrows(WdClosedException.class, () -> addresses.allocAddress(size));
        assertThrows(WdClosedException.class, () -> addresses.freeAddress(address));
    }

    @Test
    void contiguityStaysInsideTheLimitAndEveryLengthItGivesMaps() {
        WdContiguity contiguity = bridge.unwrap(WdContiguity.class).orElse(null);
        if (contiguity == null) {
            assertFalse(bridge instanceof WdContiguity, "implements WdContiguity but unwrap hides it");
            return;
        }
        long size = Math.min(5 * 4096 + 100, bridge.bufferSize().orElse(Long.MAX_VALUE));
        MemorySegment segment = bridge.alloc(size);
        for (long offset = 0; offset < size; offset += 4093) {
            MemorySegment rest = segment.asSlice(offset);
            long length = contiguity.contiguousLength(rest, rest.byteSize());
            assertTrue(length >= 1 && length <= rest.byteSize(), "length=" + length + " limit=" + rest.byteSize());
            bridge.iovaMap(rest, length);
        }
        assertThrows(IllegalArgumentException.class, () -> contiguity.contiguousLength(segment, 0));
        assertThrows(IllegalArgumentException.class, () -> contiguity.contiguousLength(segment, size + 1));
        assertThrows(NullPointerException.class, () -> contiguity.contiguousLength(null, 1));
        bridge.free(segment);
        assertThrows(WdOwnershipException.class, () -> contiguity.contiguousLength(segment, 1));
    }

    @Test
    void bufferSizeIsEmptyOrPositive() {
        bridge.bufferSize().ifPresent(size -> assertTrue(size > 0, "bufferSize=" + size));
    }

    @Test
    void everyOperationAfterCloseIsRefusedAndCloseIsIdempotent() {
        MemorySegment segment = bridge.alloc(64);
        bridge.close();
        bridge.close();
        assertThrows(WdClosedException.class, () -> bridge.alloc(64));
        assertThrows(WdClosedException.class, () -> bridge.free(segment));
        assertThrows(WdClosedException.class, () -> bridge.iovaMap(segment, 64));
        assertThrows(WdClosedException.class, () -> bridge.iovaUnmap(segment, 0, 64));
    }

    /**
     * Whether {@code close()} releases the memory behind the bridge's segments (false for a bridge
     * over memory someone else owns, e.g. a queue's reserved memory, or a callback bridge over a
     * pool its user object keeps). When false, the rule "segments of a closed bridge throw on
     * access" is replaced by its converse: close leaves memory it does not own mapped and intact.
     *
     * @return true by default
     */
    protected boolean closeReleasesMemory() {
        return true;
    }

    @Test
    void segmentsOfAClosedBridgeThrowOnAccessInsteadOfTouchingReleasedMemory() {
        MemorySegment small = bridge.alloc(64);
        MemorySegment large = bridge.alloc(Math.min(3 << 20, bridge.bufferSize().orElse(3 << 20)));
        small.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        large.set(ValueLayout.JAVA_BYTE, large.byteSize() - 1, (byte) 1);
        bridge.close();
        if (!closeReleasesMemory()) {
            assertEquals(1, small.get(ValueLayout.JAVA_BYTE, 0), "close kept memory it does not own");
            assertEquals(
                    1, large.get(ValueLayout.JAVA_BYTE, large.byteSize() - 1), "close kept memory it does not own");
            return;
        }
        for (MemorySegment segment : List.of(small, large)) {
            assertThrows(
                    IllegalStateException.class,
                    () -> segment.get(ValueLayout.JAVA_BYTE, 0),
                    "read after close must throw, not reach unmapped memory");
            assertThrows(
                    IllegalStateException.class,
                    () -> segment.set(ValueLayout.JAVA_BYTE, 0, (byte) 2),
                    "write after close must throw, not reach unmapped memory");
            assertThrows(IllegalStateException.class, () -> segment.asSlice(1).fill((byte) 3));
        }
    }

    @Test
    void concurrentAllocMapFreeNeverHandsOutOneBlockTwice() throws Exception {
        int threads = 4;
        int rounds = 500;
        Set<Long> live = ConcurrentHashMap.newKeySet();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte tag = (byte) (t + 1);
                futures.add(pool.submit(() -> {
                    start.await();
                    churn(tag, rounds, live);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(
                live.isEmpty(),
                () -> "every block was freed: " + live.stream().map(Hex::of).toList());
    }

    private void churn(byte tag, int rounds, Set<Long> live) {
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            MemorySegment segment = bridge.alloc(64 + (i % 7) * 64);
            if (!live.add(segment.address())) {
                throw new AssertionError("va=" + Hex.of(segment.address()) + " handed out twice while live");
            }
            segment.fill(tag);
            long iova = bridge.iovaMap(segment, segment.byteSize());
            bridge.iovaUnmap(segment, iova, segment.byteSize());
            held.add(segment);
            if (held.size() > 8) {
                release(held.removeFirst(), tag, live);
            }
        }
        held.forEach(segment -> release(segment, tag, live));
    }

    private void release(MemorySegment segment, byte tag, Set<Long> live) {
        for (long i = 0; i < segment.byteSize(); i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != tag) {
                throw new AssertionError("block va=" + Hex.of(segment.address()) + " size=" + segment.byteSize()
                        + " was written by another thread at offset " + Hex.of(i));
            }
        }
        live.remove(segment.address());
        bridge.free(segment);
    }
}
