package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMappingException;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@NeedsKernel(pfns = true, pinning = true, freeHugepages = 4)
class HugepageBridgeTest {
    private HugeBridge bridge;

    @BeforeEach
    void open() {
        bridge = Hugepages.open(WdOptions.empty());
    }

    @AfterEach
    void close() {
        if (bridge != null) {
            bridge.close();
        }
    }

    @Test
    void allocationHasExactlyTheRequestedSizeAndIsWritable() {
        for (long size : new long[] {1, 63, 64, 65, 4096, 65536, 1 << 20, (1 << 20) + 1, 5L << 20}) {
            MemorySegment segment = bridge.alloc(size);
            assertEquals(size, segment.byteSize());
            segment.fill((byte) 0x5a);
            assertEquals((byte) 0x5a, segment.get(ValueLayout.JAVA_BYTE, size - 1));
            bridge.free(segment);
        }
        assertEquals(0, bridge.liveAllocations());
    }

    @Test
    void smallAllocationsAreAlignedToTheirClassAndNeverCrossAHugePage() {
        List<MemorySegment> segments = new ArrayList<>();
        for (long size = 64; size <= bridge.largestClass(); size <<= 1) {
            for (int i = 0; i < 3; i++) {
                MemorySegment segment = bridge.alloc(size - 1);
                segments.add(segment);
                assertEquals(0, segment.address() % size, "size=" + size);
                assertEquals(segment.address() / Hugepages.MIB2, (segment.address() + size - 1) / Hugepages.MIB2);
            }
        }
        segments.forEach(bridge::free);
    }

    @Test
    void interiorAddressesTranslateLikeTheKernelSays() {
        SplittableRandom random = new SplittableRandom(5);
        List<MemorySegment> segments = new ArrayList<>();
        for (long size : new long[] {64, 4096, 65536, 1 << 20, 3L << 20}) {
            for (int i = 0; i < 4; i++) {
                segments.add(bridge.alloc(size));
            }
        }
        for (MemorySegment segment : segments) {
            for (int i = 0; i < 50; i++) {
                long offset = random.nextLong(segment.byteSize());
                long va = segment.address() + offset;
                assertEquals(Kernel.presentPhysical(va), bridge.iovaMapAddress(va, 1), "offset=" + offset);
            }
            long whole = Kernel.contiguous(segment.address(), segment.byteSize());
            if (whole == segment.byteSize()) {
                assertEquals(Kernel.presentPhysical(segment.address()), bridge.iovaMap(segment, segment.byteSize()));
            }
        }
        segments.forEach(bridge::free);
    }

    @Test
    void rangeCrossingNonAdjacentHugePagesFailsAtTheBoundary() {
        MemorySegment run = bridge.alloc(8 * Hugepages.MIB2);
        long expected = Kernel.contiguous(run.address(), run.byteSize());
        assertEquals(expected, bridge.contiguousLength(run, run.byteSize()));
        if (expected == run.byteSize()) {
            assertEquals(Kernel.presentPhysical(run.address()), bridge.iovaMap(run, run.byteSize()));
        } else {
            assertEquals(0, expected % Hugepages.MIB2, "breaks fall on huge page boundaries");
            WdMappingException e = assertThrows(WdMappingException.class, () -> bridge.iovaMap(run, run.byteSize()));
            assertEquals(expected, e.breakOffset());
            assertEquals(Kernel.presentPhysical(run.address()), bridge.iovaMap(run, expected));
        }
        // a range starting just before a page boundary: contiguous length matches the kernel too
        MemorySegment tail = run.asSlice(Hugepages.MIB2 - 100);
        assertEquals(Kernel.contiguous(tail.address(), 200), bridge.contiguousLength(tail, 200));
        bridge.free(run);
    }

    @Test
    void unmapOfTheMappedIovaSucceedsAndAMismatchIsRefused() {
        MemorySegment segment = bridge.alloc(4096);
        long iova = bridge.iovaMap(segment, 4096);
        bridge.iovaUnmap(segment, iova, 4096);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(segment, iova + 64, 4096));
        assertTrue(e.getMessage().contains("iova=0x" + Long.toHexString(iova + 64)), e.getMessage());
        bridge.free(segment);
    }

    @Test
    void emptiedClassPagesGoBackToTheOsBeyondTheRetainedOne() {
        long slotsPerPage = Hugepages.MIB2 / 65536;
        List<Long> addresses = new ArrayList<>();
        for (int i = 0; i < slotsPerPage * 3; i++) {
            addresses.add(bridge.allocAddress(65536));
        }
        assertEquals(3, bridge.heldPages());
        addresses.forEach(bridge::freeAddress);
        // the last freed slots (at most 4 x 64 KiB) stay in this thread's cache, on the last page
        long held = bridge.heldPages();
        assertTrue(
                held >= HugepageBackendProvider.DEFAULT_RETAIN_EMPTY
                        && held <= HugepageBackendProvider.DEFAULT_RETAIN_EMPTY + 1,
                "held=" + held);
        MemorySegment run = bridge.alloc(3 * Hugepages.MIB2);
        assertEquals(held + 3, bridge.heldPages());
        bridge.free(run);
        assertEquals(held, bridge.heldPages());
    }

    @Test
    void closeReturnsEveryPage() {
        bridge.alloc(64);
        bridge.alloc(4 * Hugepages.MIB2);
        assertTrue(bridge.heldPages() >= 5);
        bridge.close();
        assertEquals(0, bridge.heldPages());
    }
}
