package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Random ranges around and far from an allocation: refused with IllegalArgumentException, or mapped as the kernel says. */
@NeedsKernel(pfns = true, pinning = true)
class BadInputProperties {
    private static final long PAGE = Kernel.PAGE;
    private static final long SIZE = 3 * PAGE + 100;

    @Property(tries = 300)
    @SuppressWarnings("restricted")
    void rangesNearAnAllocationMapExactlyWhenInsideAndContiguous(
            @ForAll @LongRange(min = -2 * PAGE, max = 5 * PAGE) long offset,
            @ForAll @LongRange(min = 0, max = 8 * PAGE) long segmentSize,
            @ForAll long size) {
        try (NoIommuBridge bridge = NoIommuBridge.open()) {
            MemorySegment live = bridge.alloc(SIZE);
            long va = live.address() + offset;
            MemorySegment start = MemorySegment.ofAddress(va).reinterpret(segmentSize);
            boolean inside = offset >= 0 && size > 0 && size <= segmentSize && offset + size <= SIZE;
            if (inside && Kernel.breakOffset(va, size) < 0) {
                assertEquals(Kernel.physical(va), bridge.iovaMap(start, size));
            } else {
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(start, size));
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(start, 0, size));
            }
            bridge.free(live);
        }
    }

    @Property(tries = 300)
    @SuppressWarnings("restricted")
    void wildAddressesAreRefusedWithoutTouchingThem(
            @ForAll long address, @ForAll @LongRange(min = 1, max = 1 << 20) long size) {
        try (NoIommuBridge bridge = NoIommuBridge.open()) {
            MemorySegment wild = MemorySegment.ofAddress(address).reinterpret(size);
            assertThrows(IllegalArgumentException.class, () -> bridge.free(wild));
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(wild, size));
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(wild, address, size));
            assertThrows(IllegalArgumentException.class, () -> bridge.contiguousLength(wild, size));
        }
    }
}
