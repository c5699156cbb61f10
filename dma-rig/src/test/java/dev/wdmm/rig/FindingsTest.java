package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.backend.passthrough.PassthroughBackendProvider;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.pool.BlockPoolSetup;
import dev.wdmm.memory.sgl.SglPool;
import dev.wdmm.memory.sgl.SglPoolSetup;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the findings of issue 12 that span backends: an unmap that undoes no map,
 * a null unmap, the reason of a lost double-free race, the exception of a call racing close, and
 * memory a closed queue released (an SGL pool or a passthrough bridge over it). Each runs on every
 * backend that opens here (fast and checked mode where it has one); the others skip loudly.
 */
class FindingsTest {
    private static final List<String> BACKENDS = List.of("sva", "noiommu", "hugepage", "passthrough");

    @Test
    void unmapsThatUndoNoMapAreRefusedOnEveryBackend() {
        for (String backend : BACKENDS) {
            for (boolean checked : new boolean[] {false, true}) {
                try (WdMm mm = openOrSkip(backend, checked, "unmapsThatUndoNoMapAreRefusedOnEveryBackend")) {
                    if (mm == null) {
                        continue;
                    }
                    String what = backend + (checked ? " checked" : " fast");
                    WdMmBridge bridge = mm.bridge();
                    MemorySegment segment = bridge.alloc(4096);
                    long iova = bridge.iovaMap(segment, 64);
                    refused(what + " map(64) then unmap(63)", () -> bridge.iovaUnmap(segment, iova, 63));
                    refused(
                            what + " unmap of another offset",
                            () -> bridge.iovaUnmap(segment.asSlice(1), iova + 1, 63));
                    bridge.iovaUnmap(segment, iova, 64);
                    refused(what + " unmap twice", () -> bridge.iovaUnmap(segment, iova, 64));
                    refused(what + " never mapped", () -> bridge.iovaUnmap(segment.asSlice(128), iova + 128, 256));
                    long a = bridge.iovaMap(segment, 64);
                    long b = bridge.iovaMap(segment.asSlice(64), 64);
                    bridge.iovaUnmap(segment.asSlice(64), b, 64);
                    bridge.iovaUnmap(segment, a, 64);
                    refused(what + " unmap after both unmapped", () -> bridge.iovaUnmap(segment, a, 64));
                    long mapped = bridge.iovaMap(segment, 4096);
                    bridge.free(segment);
                    MemorySegment again = bridge.alloc(4096);
                    if (again.address() == segment.address()) {
                        refused(what + " unmap of a map made before free", () -> bridge.iovaUnmap(again, mapped, 4096));
                    }
                    bridge.free(again);
                }
            }
        }
    }

    @Test
    void nullUnmapIsANamedNullPointerOnEveryBackend() {
        for (String backend : BACKENDS) {
            try (WdMm mm = openOrSkip(backend, false, "nullUnmapIsANamedNullPointerOnEveryBackend")) {
                if (mm != null) {
                    NullPointerException e = assertThrows(
                            NullPointerException.class, () -> mm.bridge().iovaUnmap(null, 0, 64));
                    assertEquals("segment is null", e.getMessage(), backend);
                }
            }
        }
    }

    @Test
    void theLoserOfTwoRacingFreesIsToldAlreadyFreed() throws InterruptedException {
        for (String backend : BACKENDS) {
            try (WdMm mm = openOrSkip(backend, false, "theLoserOfTwoRacingFreesIsToldAlreadyFreed")) {
                if (mm == null) {
                    continue;
                }
                WdMmBridge bridge = mm.bridge();
                long large = bridge.bufferSize().orElse(3L << 20);
                for (int round = 0; round < 200; round++) {
                    MemorySegment segment = bridge.alloc(round % 2 == 0 ? 64 : large);
                    List<Throwable> losers = race(() -> bridge.free(segment), () -> bridge.free(segment));
                    assertEquals(1, losers.size(), backend + " round " + round + ": exactly one free wins");
                    WdOwnershipException e = (WdOwnershipException) losers.getFirst();
                    assertEquals(WdOwnershipException.Reason.ALREADY_FREED, e.reason(), backend + ": " + e);
                }
            }
        }
    }

    @Test
    void callsRacingCloseAreToldTheBridgeIsClosed() throws InterruptedException {
        for (String backend : List.of("sva", "hugepage", "noiommu")) {
            for (int round = 0; round < 40; round++) {
                WdMm mm = openOrSkip(backend, false, "callsRacingCloseAreToldTheBridgeIsClosed");
                if (mm == null) {
                    break;
                }
                WdMmBridge bridge = mm.bridge();
                MemorySegment small = bridge.alloc(4096);
                MemorySegment large = bridge.alloc(3L << 20);
                AtomicReference<Throwable> ended = new AtomicReference<>();
                CountDownLatch running = new CountDownLatch(1);
                Thread user = new Thread(() -> {
                    try {
                        for (int i = 0; ; i++) {
                            MemorySegment target = i % 2 == 0 ? small : large;
                            bridge.iovaUnmap(target, bridge.iovaMap(target, 64), 64);
                            bridge.free(bridge.alloc(i % 3 == 0 ? 3L << 20 : 256));
                            running.countDown();
                        }
                    } catch (Throwable e) {
                        ended.set(e);
                        running.countDown();
                    }
                });
                user.start();
                running.await();
                mm.close();
                user.join();
                assertTrue(
                        ended.get() instanceof WdClosedException,
                        backend + " round " + round + ": a call racing close ended in " + ended.get());
            }
        }
    }

    @Test
    void anSglPoolOverTheRegionOfAClosedQueueIsRefused() {
        try (WdMm mm = openOrSkip("passthrough", false, "anSglPoolOverTheRegionOfAClosedQueueIsRefused")) {
            assumeTrue(mm != null, "passthrough cannot be opened here (the SKIPPED line above says why)");
            WdQueue queue = mm.openQueue();
            WdReservedMemory region = queue.reserveMemory(4L << 20);
            queue.close();
            WdClosedException e = assertThrows(
                    WdClosedException.class, () -> SglPool.create(region, new SglPoolSetup(8, 4, 4, 4096, 64)));
            assertTrue(e.getMessage().contains("was released"), e.getMessage());
        }
    }

    @Test
    void aPassthroughBridgeOverAClosedQueueHandsOutNoAddress() {
        try (WdMm mm = openOrSkip("passthrough", false, "aPassthroughBridgeOverAClosedQueueHandsOutNoAddress")) {
            assumeTrue(mm != null, "passthrough cannot be opened here (the SKIPPED line above says why)");
            WdQueue queue = mm.openQueue();
            queue.reserveMemory(4L << 20);
            WdMmBridge bridge = PassthroughBackendProvider.bridge(queue, new BlockPoolSetup(4096, 64, 64));
            MemorySegment before = bridge.alloc(4096);
            queue.close();
            assertThrows(WdClosedException.class, () -> bridge.alloc(4096));
            assertThrows(WdClosedException.class, () -> bridge.iovaMap(before, 64));
            assertThrows(WdClosedException.class, () -> bridge.free(before));
            assertThrows(IllegalStateException.class, () -> before.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            bridge.close();
        }
    }

    private static void refused(String what, Runnable unmap) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, unmap::run, what + " was accepted");
        assertTrue(e.getMessage().contains("iovaMap"), what + ": " + e.getMessage());
    }

    /** Runs both at once; returns what they threw. */
    private static List<Throwable> race(Runnable first, Runnable second) throws InterruptedException {
        ConcurrentLinkedQueue<Throwable> thrown = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Runnable r : List.of(first, second)) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    r.run();
                } catch (Throwable e) {
                    thrown.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        return new ArrayList<>(thrown);
    }

    /**
     * Opens the backend, or prints that this backend's part of the test is skipped (in the
     * {@code SKIPPED <Class.method>: <reason>; fix: <fix>} form) and returns null; the test goes on
     * with the other backends. sva opens for every user: its failure fails the test.
     */
    private static WdMm openOrSkip(String backend, boolean checked, String test) {
        try {
            return CrashMatrixTest.open(backend, checked);
        } catch (RuntimeException | LinkageError e) {
            if (backend.equals("sva")) {
                throw e;
            }
            System.out.println("SKIPPED FindingsTest." + test + ": (" + backend + " only) the " + backend
                    + " backend cannot be opened here (" + e.getMessage()
                    + "); fix: run ./wd-mm test as root with huge pages reserved (CI does)");
            return null;
        }
    }
}
