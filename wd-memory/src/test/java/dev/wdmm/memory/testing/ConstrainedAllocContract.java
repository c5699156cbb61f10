package dev.wdmm.memory.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocRequest;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdConstrainedAlloc;
import dev.wdmm.api.WdConstraintException;
import dev.wdmm.api.WdConstraintException.Constraint;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link WdConstrainedAlloc} contract, checked against an oracle of the test's own: for
 * physical-address backends {@code /proc/self/pagemap} read page by page ({@link Kernel}), for
 * SVA the virtual address. Every constrained allocation handed out is checked on every 4 KiB page:
 * the first byte's device address aligned, every page's device address {@code <= maxIova}, the
 * pages adjacent for a contiguous request, the range inside one boundary block, every byte zero.
 * A refusal must name the constraint, and leave the bridge's live allocations as they were.
 */
public abstract class ConstrainedAllocContract {
    /** The page the oracle is read in. */
    protected static final long PAGE = 4096;

    /** The bridge under test, opened before each test and closed after it. */
    protected WdMmBridge bridge;

    /** The capability under test. */
    protected WdConstrainedAlloc constrained;

    /** For subclasses. */
    protected ConstrainedAllocContract() {}

    /**
     * Opens a fresh bridge of the backend under test.
     *
     * @return the bridge
     */
    protected abstract WdMmBridge newBridge();

    /**
     * The device address of {@code va} by an oracle independent of the bridge.
     *
     * @param va an address inside a live allocation
     * @return its device address
     */
    protected abstract long deviceAddress(long va);

    /**
     * Live allocations of the bridge, to prove a refusal kept nothing.
     *
     * @return the count
     */
    protected abstract long liveAllocations();

    /**
     * The size of a request that needs several pages to be physically adjacent: three of the
     * backend's pages (4 KiB or huge).
     *
     * @return bytes
     */
    protected abstract long multiPageSize();

    /** Opens the bridge. */
    @BeforeEach
    void openBridge() {
        bridge = newBridge();
        constrained = bridge.unwrap(WdConstrainedAlloc.class).orElseThrow();
    }

    /** Closes the bridge. */
    @AfterEach
    void closeBridge() {
        if (bridge != null) {
            bridge.close();
        }
    }

    /**
     * Checks {@code memory} against every constraint of {@code request}, page by page through the
     * oracle.
     *
     * @param request what was asked
     * @param memory what was handed out
     */
    protected void assertMeets(WdAllocRequest request, MemorySegment memory) {
        assertEquals(request.size(), memory.byteSize());
        long va = memory.address();
        long first = deviceAddress(va);
        assertEquals(0, va % request.alignment(), "va alignment " + request);
        assertEquals(0, first % request.alignment(), "device alignment " + request);
        for (long page = va & -PAGE; page < va + request.size(); page += PAGE) {
            long at = Math.max(page, va);
            long device = deviceAddress(at);
            long last = (page + PAGE - 1 < va + request.size() - 1)
                    ? device + (page + PAGE - 1 - at)
                    : device + (va + request.size() - 1 - at);
            assertTrue(
                    Long.compareUnsigned(last, request.maxIova()) <= 0,
                    "page va=0x" + Long.toHexString(at) + " device=0x" + Long.toHexString(device) + " above "
                            + request);
            if (request.contiguous()) {
                assertEquals(first + (at - va), device, "not adjacent at offset " + (at - va) + " " + request);
            }
        }
        assertTrue(request.insideBoundary(first), "crosses the boundary: device=0x" + Long.toHexString(first));
        if (request.zeroed()) {
            for (long i = 0; i < request.size(); i += 8) {
                long left = Math.min(8, request.size() - i);
                long value = left == 8
                        ? memory.get(ValueLayout.JAVA_LONG_UNALIGNED, i)
                        : memory.get(ValueLayout.JAVA_BYTE, i);
                assertEquals(0, value, "byte " + i + " not zero");
            }
        }
        assertEquals(first, bridge.iovaMap(memory, request.contiguous() ? request.size() : 1));
    }

    /**
     * Either allocates and checks, or checks the refusal: it names {@code allowed}, offers what
     * it says and keeps nothing.
     *
     * @param request the request
     * @param allowed the refusal accepted
     * @return the allocation, or null if refused
     */
    protected MemorySegment allocOrRefused(WdAllocRequest request, Constraint allowed) {
        long live = liveAllocations();
        try {
            MemorySegment memory = constrained.alloc(request);
            assertMeets(request, memory);
            return memory;
        } catch (WdConstraintException e) {
            assertEquals(allowed, e.constraint(), e.getMessage());
            assertEquals(request, e.request());
            assertTrue(
                    e.getMessage().contains(request.toString())
                            && e.getMessage().contains("nothing was kept"),
                    e.getMessage());
            assertEquals(live, liveAllocations(), "a refusal kept memory");
            System.out.println("refused as allowed: " + e.getMessage());
            return null;
        }
    }

    @Test
    void zeroedMemoryIsZeroWhereAPreviousAllocationDirtiedIt() {
        int reused = 0;
        for (long size : new long[] {64, 4096, 3 * 4096 + 5, 64 * 1024}) {
            MemorySegment dirty = bridge.alloc(size);
            dirty.fill((byte) 0xA5);
            long address = dirty.address();
            bridge.free(dirty);
            WdAllocRequest request = WdAllocRequest.of(size).zeroedMemory();
            MemorySegment clean = constrained.alloc(request);
            reused += clean.address() == address ? 1 : 0;
            assertMeets(request, clean);
            bridge.free(clean);
        }
        assertTrue(reused > 0, "no zeroed allocation reused dirtied memory: the test proved nothing");
    }

    @Test
    void alignmentHoldsForVirtualAndDeviceAddresses() {
        List<MemorySegment> held = new ArrayList<>();
        for (long alignment = 64; alignment <= 64 * 1024; alignment <<= 2) {
            for (long size : new long[] {100, 5000}) {
                held.add(bridge.alloc(96)); // so the next candidate is not simply the start of a chunk
                WdAllocRequest request = WdAllocRequest.of(size).withAlignment(alignment);
                MemorySegment memory = allocOrRefused(request, Constraint.ALIGNMENT);
                if (memory != null) {
                    held.add(memory);
                }
            }
        }
        held.forEach(bridge::free);
    }

    @Test
    void aBoundedAllocationNeverCrossesTheBoundary() {
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            WdAllocRequest request = WdAllocRequest.of(3000).withBoundary(4096);
            MemorySegment memory = constrained.alloc(request);
            assertMeets(request, memory);
            held.add(memory);
        }
        WdAllocRequest wide = WdAllocRequest.of(40_000).withBoundary(65536).zeroedMemory();
        MemorySegment memory = allocOrRefused(wide, Constraint.CONTIGUOUS);
        if (memory != null) {
            held.add(memory);
        }
        held.forEach(bridge::free);
    }

    @Test
    void aThirtyTwoBitDeviceNeverGetsAnAddressAbove4GiB() {
        WdAllocRequest request = WdAllocRequest.of(256 * 1024).withDmaBits(32);
        MemorySegment memory = allocOrRefused(request, Constraint.MAX_IOVA);
        if (memory != null) {
            bridge.free(memory);
        }
    }

    @Test
    void aMaskBelowAllMemoryIsRefusedNamingTheLowestAddressFound() {
        long live = liveAllocations();
        WdAllocRequest request = WdAllocRequest.of(4096).withMaxIova(0xFFFFF);
        WdConstraintException e = assertThrows(WdConstraintException.class, () -> constrained.alloc(request));
        assertEquals(Constraint.MAX_IOVA, e.constraint(), e.getMessage());
        assertTrue(Long.compareUnsigned(e.offered(), 0xFFFFF) > 0, e.getMessage());
        assertTrue(
                e.getMessage().contains("lowest last-byte IOVA found=0x" + Long.toHexString(e.offered())),
                e.getMessage());
        assertEquals(live, liveAllocations());
    }

    @Test
    void aContiguousMultiPageAllocationHasAdjacentPagesOrIsRefusedWithWhatIsAvailable() {
        WdAllocRequest request =
                WdAllocRequest.of(multiPageSize()).contiguousIova().zeroedMemory();
        MemorySegment memory = allocOrRefused(request, Constraint.CONTIGUOUS);
        if (memory != null) {
            bridge.free(memory);
        }
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        long live = liveAllocations();
        assertThrows(NullPointerException.class, () -> constrained.alloc(null));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> constrained.alloc(WdAllocRequest.of(64).withAlignment(1L << 40)));
        assertTrue(e.getMessage().startsWith("alignment=" + (1L << 40) + " must be <= "), e.getMessage());
        assertEquals(live, liveAllocations());
        bridge.close();
        assertThrows(WdClosedException.class, () -> constrained.alloc(WdAllocRequest.of(64)));
        assertNotNull(bridge.unwrap(WdConstrainedAlloc.class).orElse(null));
    }
}
