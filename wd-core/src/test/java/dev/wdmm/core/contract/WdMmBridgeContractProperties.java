package dev.wdmm.core.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * Property-based bad-input rules for every {@link WdMmBridge}: a backend's property class extends
 * this one and implements {@link #newBridge()}. Each try opens its own bridge.
 */
public abstract class WdMmBridgeContractProperties {

    /**
     * Opens a new, independent bridge of the backend under test.
     *
     * @return the bridge
     */
    protected abstract WdMmBridge newBridge();

    @Property(tries = 50)
    void nonPositiveSizesAreRefusedNamingTheValue(@ForAll @LongRange(min = Long.MIN_VALUE, max = 0) long size) {
        try (WdMmBridge bridge = newBridge()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bridge.alloc(size));
            assertTrue(e.getMessage().contains("size=" + size), e.getMessage());
        }
    }

    @Property(tries = 50)
    @SuppressWarnings("restricted")
    void rangesLeavingTheAllocationAreRefusedAndChangeNothing(
            @ForAll @LongRange(min = 1, max = 4096) long allocSize,
            @ForAll @LongRange(min = -8192, max = 8192) long offset,
            @ForAll @LongRange(min = 1, max = 8192) long size) {
        try (WdMmBridge bridge = newBridge()) {
            MemorySegment segment = bridge.alloc(allocSize);
            long base = bridge.iovaMap(segment, allocSize);
            boolean inside = offset >= 0 && offset < allocSize && size <= allocSize - offset;
            MemorySegment range =
                    MemorySegment.ofAddress(segment.address() + offset).reinterpret(size);
            if (inside) {
                bridge.iovaMap(range, size);
            } else {
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(range, size));
            }
            assertEquals(base, bridge.iovaMap(segment, allocSize));
            bridge.free(segment);
        }
    }

    @Property(tries = 50)
    void freeOfAnyNonStartAddressIsRefused(
            @ForAll @LongRange(min = 2, max = 4096) long allocSize,
            @ForAll @LongRange(min = 1, max = 4095) long offset) {
        try (WdMmBridge bridge = newBridge()) {
            MemorySegment segment = bridge.alloc(allocSize);
            long delta = offset % allocSize == 0 ? 1 : offset % allocSize;
            assertThrows(
                    WdOwnershipException.class, () -> bridge.free(MemorySegment.ofAddress(segment.address() + delta)));
            bridge.free(segment);
        }
    }

    @Property(tries = 50)
    void unmapWithAnyOtherIovaIsRefused(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long delta) {
        try (WdMmBridge bridge = newBridge()) {
            MemorySegment segment = bridge.alloc(64);
            long iova = bridge.iovaMap(segment, 64);
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(segment, iova + delta, 64));
            bridge.iovaUnmap(segment, iova, 64);
            bridge.free(segment);
        }
    }
}
