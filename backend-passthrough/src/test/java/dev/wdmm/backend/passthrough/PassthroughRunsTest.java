package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Allocations above the block size: runs of adjacent blocks, checked against the kernel's pagemap. */
@SuppressWarnings("restricted")
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class PassthroughRunsTest {
    private static final long PAGE = 4096;
    /** 1024 blocks of 4 KiB: 4 MiB over 2 MiB huge pages. */
    private static final WdOptions POOL =
            WdOptions.fromText(Map.of("wd.mm.passthrough.block-size", "4096", "wd.mm.passthrough.block-count", "1024"));

    @Test
    void everyPageOfARunIsAtTheIovaTheKernelReports() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(POOL)) {
            for (long size : new long[] {PAGE + 1, 64 * 1024 + 100, 2L << 20}) {
                MemorySegment run = bridge.alloc(size);
                assertEquals(size, run.byteSize());
                long iova = bridge.iovaMap(run, size);
                for (long offset = 0; offset < size; offset += PAGE) {
                    assertEquals(Kernel.presentPhysical(run.address() + offset), iova + offset, "offset " + offset);
                    long last = Math.min(offset + PAGE, size) - 1;
                    assertEquals(iova + last, bridge.iovaMap(run.asSlice(last), 1), "last byte of page " + offset);
                }
                bridge.iovaUnmap(run, iova, size);
            }
        }
    }

    @Test
    void aRunAcrossTwoHugePagesExistsExactlyWhenTheKernelPlacedThemAdjacent() {
        long huge = 2L << 20;
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(POOL)) {
            MemorySegment first = bridge.alloc(huge);
            long base = first.address();
            bridge.free(first);
            boolean adjacent = Kernel.presentPhysical(base + huge) == Kernel.presentPhysical(base) + huge;
            if (adjacent) {
                MemorySegment run = bridge.alloc(3 * huge / 2);
                long iova = bridge.iovaMap(run, run.byteSize());
                for (long offset = 0; offset < run.byteSize(); offset += PAGE) {
                    assertEquals(Kernel.presentPhysical(run.address() + offset), iova + offset, "offset " + offset);
                }
            } else {
                IllegalArgumentException e =
                        assertThrows(IllegalArgumentException.class, () -> bridge.alloc(3 * huge / 2));
                assertTrue(e.getMessage().contains("maxRunBlocks=512"), e.getMessage());
            }
        }
    }

    @Test
    void aRunIsFreedByItsStartOnlyAndMapsOnlyWhatWasAllocated() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(POOL)) {
            MemorySegment run = bridge.alloc(3 * PAGE + 10);
            long iova = bridge.iovaMap(run, run.byteSize());
            for (long interior : new long[] {1, PAGE, 2 * PAGE + 7, 3 * PAGE + 9}) {
                WdOwnershipException e =
                        assertThrows(WdOwnershipException.class, () -> bridge.free(run.asSlice(interior)));
                assertEquals(Reason.INTERIOR, e.reason(), e.getMessage());
            }
            MemorySegment past =
                    MemorySegment.ofAddress(run.address() + 3 * PAGE + 10).reinterpret(8);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(past, 8));
            MemorySegment straddling =
                    MemorySegment.ofAddress(run.address() + 3 * PAGE).reinterpret(11);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(straddling, 11));
            assertEquals(iova + 2 * PAGE, bridge.iovaMap(run.asSlice(2 * PAGE), PAGE + 10));
            bridge.free(run);
            assertEquals(
                    Reason.ALREADY_FREED,
                    assertThrows(WdOwnershipException.class, () -> bridge.free(run))
                            .reason());
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(run.asSlice(PAGE), 1));
            assertThrows(IllegalArgumentException.class, () -> bridge.alloc(0));
            assertThrows(IllegalArgumentException.class, () -> bridge.alloc(Long.MAX_VALUE));
        }
    }

    @Test
    void fragmentationIsRefusedWithTheFreeCountAndTheLongestFreeRun() {
        try (WdMmBridge bridge = new PassthroughBackendProvider()
                .open(WdOptions.fromText(
                        Map.of("wd.mm.passthrough.block-size", "4096", "wd.mm.passthrough.block-count", "8")))) {
            List<MemorySegment> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(bridge.alloc(PAGE));
            }
            all.sort((a, b) -> Long.compareUnsigned(a.address(), b.address()));
            for (int i = 0; i < 8; i += 2) {
                bridge.free(all.get(i));
            }
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(2 * PAGE));
            assertTrue(e.getMessage().contains("freeBlocks=4 longestFreeRun=1"), e.getMessage());
            assertTrue(e.getMessage().contains(PassthroughBackendProvider.BLOCK_COUNT.name()), e.getMessage());
            bridge.free(all.get(1));
            assertEquals(all.get(0).address(), bridge.alloc(3 * PAGE).address());
        }
    }

    @Test
    void racingFreesOfOneRunSucceedExactlyOnce() throws Exception {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(POOL)) {
            for (int round = 0; round < 200; round++) {
                MemorySegment run = bridge.alloc(5 * PAGE);
                AtomicInteger wins = new AtomicInteger();
                AtomicInteger alreadyFreed = new AtomicInteger();
                CyclicBarrier barrier = new CyclicBarrier(2);
                Runnable free = () -> {
                    try {
                        barrier.await();
                        bridge.free(run);
                        wins.incrementAndGet();
                    } catch (WdOwnershipException e) {
                        if (e.reason() == Reason.ALREADY_FREED) {
                            alreadyFreed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                Thread other = Thread.ofPlatform().start(free);
                free.run();
                other.join();
                assertEquals(1, wins.get(), "round " + round);
                assertEquals(1, alreadyFreed.get(), "round " + round);
            }
            assertTrue(bridge.toString().contains("free=1024"), bridge.toString());
        }
    }

    @Test
    void closeFreesOutstandingRuns() {
        WdMmBridge bridge = new PassthroughBackendProvider().open(POOL);
        MemorySegment run = bridge.alloc(100 * PAGE);
        bridge.alloc(10);
        bridge.alloc(7 * PAGE);
        bridge.close();
        assertThrows(dev.wdmm.api.WdClosedException.class, () -> bridge.free(run));
        try (WdMmBridge again = new PassthroughBackendProvider().open(POOL)) {
            assertEquals(2L << 20, again.alloc(2L << 20).byteSize(), "the huge pages came back");
        }
    }
}
