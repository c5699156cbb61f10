package dev.wdmm.tck;

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
 * The bridge contract's property-based bad-input rules (jqwik): part of
 * {@link WdMmBridgeContractTest}, which a backend's test extends to get these and the JUnit rules in
 * one class whose name ends in {@code Test} (Surefire's default includes skip {@code *Properties}
 * classes, so a separate properties class could be lost silently; the constructor is
 * package-private so that this part cannot be extended alone). Each try opens its own bridge with
 * {@link #newBridge()}.
 */
public abstract class WdMmBridgeContractProperties {

    WdMmBridgeContractProperties() {}

    /**
     * Opens a new, independent bridge of the backend under test; called before each JUnit test
     * and once per property try.
     *
     * @return the bridge
     */
    protected abstract WdMmBridge newBridge();

    /**
     * A segment at the top of the address space whose end wraps; never accessed.
     *
     * @return the segment
     */
    @SuppressWarnings("restricted")
    protected static MemorySegment wrapping() {
        return MemorySegment.ofAddress(-32L).reinterpret(64);
    }

    /**
     * Asserts that the message names a value.
     *
     * @param e the exception
     * @param fragment text the message must contain
     */
    protected static void assertMessage(Exception e, String fragment) {
        assertTrue(
                e.getMessage() != null && e.getMessage().contains(fragment),
                "message must contain " + fragment + ": " + e.getMessage());
    }

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
                assertThrows(
                        IllegalArgumentException.class,
                        () -> bridge.iovaMap(range, size),
                        () -> "map of va=" + Hex.of(range.address()) + " size=" + size + " outside the allocation va="
                                + Hex.of(segment.address()) + " size=" + allocSize);
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
                    WdOwnershipException.class,
                    () -> bridge.free(MemorySegment.ofAddress(segment.address() + delta)),
                    () -> "free of va=" + Hex.of(segment.address() + delta) + ", inside the allocation at va="
                            + Hex.of(segment.address()));
            bridge.free(segment);
        }
    }

    @Property(tries = 50)
    void unmapWithAnyOtherIovaIsRefused(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long delta) {
        try (WdMmBridge bridge = newBridge()) {
            MemorySegment segment = bridge.alloc(64);
            long iova = bridge.iovaMap(segment, 64);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> bridge.iovaUnmap(segment, iova + delta, 64),
                    () -> "unmap with iova=" + Hex.of(iova + delta) + " where map gave iova=" + Hex.of(iova));
            bridge.iovaUnmap(segment, iova, 64);
            bridge.free(segment);
        }
    }
}
