package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.pool.BlockPoolSetup;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The passthrough bridge beyond the shared contract: fixed blocks, exhaustion, physical IOVAs, queue memory. */
@SuppressWarnings("restricted")
@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class PassthroughBridgeTest {
    private static final WdOptions SMALL =
            WdOptions.fromText(Map.of("wd.mm.passthrough.block-size", "4096", "wd.mm.passthrough.block-count", "8"));

    @Test
    void allocLargerThanTheLongestRunIsRefusedNamingTheLimit() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(SMALL)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bridge.alloc(8 * 4096 + 1));
            assertTrue(
                    e.getMessage().contains("size=32769") && e.getMessage().contains("maxAllocSize="), e.getMessage());
            assertEquals(8, bridge.toString().contains("free=8") ? 8 : -1, "the refusal changed nothing");
            assertEquals(4096, bridge.alloc(4096).byteSize());
            assertEquals(4097, bridge.alloc(4097).byteSize(), "a size above the block size takes a run");
        }
    }

    @Test
    void exhaustionFailsCleanlyAndAFreedBlockIsServedAgain() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(SMALL)) {
            List<MemorySegment> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(bridge.alloc(100));
            }
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> bridge.alloc(100));
            assertTrue(e.getMessage().contains("all 8 blocks"), e.getMessage());
            bridge.free(all.get(3));
            assertEquals(all.get(3).address(), bridge.alloc(1).address());
        }
    }

    @Test
    void interiorAddressesMapToTheKernelsPhysicalAddress() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(SMALL)) {
            for (int i = 0; i < 8; i++) {
                MemorySegment block = bridge.alloc(4096);
                assertEquals(0, block.address() % 64);
                for (long offset : new long[] {0, 1, 63, 2048, 4095}) {
                    long iova = bridge.iovaMap(block.asSlice(offset), 1);
                    assertEquals(Kernel.presentPhysical(block.address() + offset), iova, "offset " + offset);
                }
            }
        }
    }

    @Test
    void closeFreesOutstandingBlocksAndReleasesTheRegion() {
        WdMmBridge bridge = new PassthroughBackendProvider()
                .open(WdOptions.fromText(
                        Map.of("wd.mm.passthrough.block-size", "64k", "wd.mm.passthrough.block-count", "100")));
        MemorySegment held = bridge.alloc(10);
        assertTrue(mapped(held.address()), "the block lies in a mapping while the bridge is open");
        bridge.close();
        bridge.close();
        assertThrows(dev.wdmm.api.WdClosedException.class, () -> bridge.free(held));
        assertTrue(!mapped(held.address()), "closing unmapped the region (per /proc/self/maps)");
    }

    @Test
    void bridgeOverAQueuesReservedMemoryUsesItsSliceTable() {
        try (WdMm mm = openMm();
                WdQueue queue = mm.openQueue()) {
            BlockPoolSetup setup = new BlockPoolSetup(4096, 64, 64);
            assertThrows(IllegalStateException.class, () -> PassthroughBackendProvider.bridge(queue, setup));
            WdReservedMemory region = queue.reserveMemory(64 * 4096 + 64);
            try (WdMmBridge bridge = PassthroughBackendProvider.bridge(queue, setup)) {
                Set<Long> seen = new HashSet<>();
                for (int i = 0; i < 64; i++) {
                    MemorySegment block = bridge.alloc(4096);
                    assertTrue(seen.add(block.address()));
                    WdSlice slice = region.slices().stream()
                            .filter(s -> s.contains(block.address(), 4096))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("block outside the region"));
                    long iova = bridge.iovaMap(block.asSlice(100), 8);
                    assertEquals(slice.dma() + (block.address() + 100 - slice.va()), iova);
                    assertEquals(Kernel.presentPhysical(block.address() + 100), iova);
                    assertEquals(queue.iovaMap(block.asSlice(100), 8), iova);
                }
                assertThrows(WdAllocationException.class, () -> bridge.alloc(1));
            }
            assertEquals(region, queue.reservedMemory().orElseThrow(), "closing the bridge keeps the queue's region");
        }
    }

    @Test
    void queueFactoryRefusesNullsAndAClosedQueue() {
        BlockPoolSetup setup = new BlockPoolSetup(4096, 4, 64);
        assertThrows(NullPointerException.class, () -> PassthroughBackendProvider.bridge(null, setup));
        try (WdMm mm = openMm()) {
            WdQueue queue = mm.openQueue();
            queue.reserveMemory(4 * 4096 + 64);
            assertThrows(NullPointerException.class, () -> PassthroughBackendProvider.bridge(queue, null));
            queue.close();
            assertThrows(dev.wdmm.api.WdClosedException.class, () -> PassthroughBackendProvider.bridge(queue, setup));
        }
    }

    @Test
    void queueFactoryRefusesARegionTooSmallForThe87PercentRule() {
        try (WdMm mm = openMm();
                WdQueue queue = mm.openQueue()) {
            queue.reserveMemory(4096);
            WdAllocationException e = assertThrows(
                    WdAllocationException.class,
                    () -> PassthroughBackendProvider.bridge(queue, new BlockPoolSetup(4096, 1024, 64)));
            assertTrue(e.getMessage().contains("1024"), e.getMessage());
        }
    }

    @Test
    void badAddressesAreRefusedWithTheirReasonAndChangeNothing() {
        try (WdMmBridge bridge = new PassthroughBackendProvider().open(SMALL)) {
            MemorySegment a = bridge.alloc(256);
            long iova = bridge.iovaMap(a, 256);
            assertEquals(
                    WdOwnershipException.Reason.INTERIOR,
                    assertThrows(WdOwnershipException.class, () -> bridge.free(a.asSlice(64)))
                            .reason());
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(a.asSlice(200), 57));
            MemorySegment pastSize = MemorySegment.ofAddress(a.address() + 300).reinterpret(8);
            assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(pastSize, 8));
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(a, iova + 1, 256));
            assertEquals(iova, bridge.iovaMap(a, 256));
            bridge.free(a);
        }
    }

    @Test
    void concurrentAllocFreeKeepsThePoolsInvariants() throws Exception {
        int threads = 4;
        try (WdMmBridge bridge = new PassthroughBackendProvider()
                .open(WdOptions.fromText(
                        Map.of("wd.mm.passthrough.block-size", "256", "wd.mm.passthrough.block-count", "64")))) {
            Set<Long> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<Integer>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    byte tag = (byte) (t + 1);
                    futures.add(pool.submit(() -> churn(bridge, live, tag)));
                }
                for (java.util.concurrent.Future<Integer> future : futures) {
                    future.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(live.isEmpty(), "every block came back: " + live);
            List<MemorySegment> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                all.add(bridge.alloc(256));
            }
            assertEquals(64, all.stream().map(MemorySegment::address).distinct().count(), "all 64 blocks free again");
            assertThrows(WdAllocationException.class, () -> bridge.alloc(1));
        }
    }

    private static int churn(WdMmBridge bridge, Set<Long> live, byte tag) {
        int failures = 0;
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            if (held.size() < 20) {
                MemorySegment block;
                try {
                    block = bridge.alloc(256);
                } catch (WdAllocationException e) {
                    failures++;
                    continue;
                }
                if (!live.add(block.address())) {
                    throw new AssertionError("block 0x" + Long.toHexString(block.address()) + " handed out twice");
                }
                block.fill(tag);
                held.add(block);
            } else {
                MemorySegment block = held.remove(i % held.size());
                for (long b = 0; b < 256; b++) {
                    if (block.get(java.lang.foreign.ValueLayout.JAVA_BYTE, b) != tag) {
                        throw new AssertionError(
                                "block 0x" + Long.toHexString(block.address()) + " written by another thread");
                    }
                }
                live.remove(block.address());
                bridge.free(block);
            }
        }
        for (MemorySegment block : held) {
            live.remove(block.address());
            bridge.free(block);
        }
        return failures;
    }

    /** Whether /proc/self/maps lists a mapping containing {@code address}. */
    private static boolean mapped(long address) {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .anyMatch(line -> {
                        String[] range = line.substring(0, line.indexOf(' ')).split("-");
                        return Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                                && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0;
                    });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static WdMm openMm() {
        return WdMm.builder()
                .backend("passthrough")
                .discovery(Discovery.of(List.of(new PassthroughBackendProvider())))
                .detector(() -> new Detection(Path.of("/"), IommuMode.PASSTHROUGH, List.of("test"), List.of()))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open();
    }
}
