package dev.wdmm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WdAllocRequestTest {

    @Test
    void defaultsAskForNothingButTheSize() {
        WdAllocRequest r = WdAllocRequest.of(100);
        assertEquals(100, r.size());
        assertEquals(1, r.alignment());
        assertEquals(0, r.boundary());
        assertEquals(WdAllocRequest.NO_MAX_IOVA, r.maxIova());
        assertFalse(r.zeroed());
        assertFalse(r.contiguous());
        assertEquals("size=100", r.toString());
    }

    @Test
    void withMethodsReturnNewRequestsAndABoundaryImpliesContiguous() {
        WdAllocRequest base = WdAllocRequest.of(3000);
        WdAllocRequest r =
                base.withAlignment(64).withBoundary(4096).withDmaBits(32).zeroedMemory();
        assertEquals(1, base.alignment());
        assertTrue(r.contiguous());
        assertEquals(0xFFFF_FFFFL, r.maxIova());
        assertEquals("size=3000 alignment=64 boundary=4096 maxIova=0xffffffff zeroed contiguous", r.toString());
        assertEquals(WdAllocRequest.NO_MAX_IOVA, r.withDmaBits(64).maxIova());
        assertTrue(WdAllocRequest.of(1).contiguousIova().contiguous());
    }

    @Test
    void badValuesAreRefusedNamingTheValueAndTheRule() {
        refused("size=0 must be > 0", () -> WdAllocRequest.of(0));
        refused("size=-5 must be > 0", () -> WdAllocRequest.of(-5));
        refused("alignment=0 must be a power of two", () -> WdAllocRequest.of(8).withAlignment(0));
        refused(
                "alignment=48 must be a power of two",
                () -> WdAllocRequest.of(8).withAlignment(48));
        refused("alignment=-9223372036854775808", () -> WdAllocRequest.of(8).withAlignment(Long.MIN_VALUE));
        refused(
                "boundary=3000 must be 0 (none) or a power of two",
                () -> WdAllocRequest.of(8).withBoundary(3000));
        refused("boundary=-4096", () -> WdAllocRequest.of(8).withBoundary(-4096));
        refused(
                "boundary=4096 must be >= size=5000",
                () -> WdAllocRequest.of(5000).withBoundary(4096));
        refused(
                "maxIova=0xfff must be >= size - 1 = 0x1387",
                () -> WdAllocRequest.of(5000).withMaxIova(0xFFF));
        refused("bits=0 must be in 1..64", () -> WdAllocRequest.of(1).withDmaBits(0));
        refused("bits=65 must be in 1..64", () -> WdAllocRequest.of(1).withDmaBits(65));
    }

    private static void refused(String start, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void maskAndBoundaryChecksAreExactAtTheEdges() {
        WdAllocRequest r = WdAllocRequest.of(4096).withDmaBits(32).withBoundary(65536);
        assertTrue(r.belowMaxIova(0xFFFF_F000L, 4096));
        assertFalse(r.belowMaxIova(0xFFFF_F001L, 4096));
        assertFalse(r.belowMaxIova(-4096, 8192), "a range that wraps is never below the mask");
        assertTrue(r.insideBoundary(65536 - 4096));
        assertFalse(r.insideBoundary(65536 - 4095));
        assertTrue(WdAllocRequest.of(4096).insideBoundary(65536 - 1));
        WdAllocRequest none = WdAllocRequest.of(10);
        assertTrue(none.belowMaxIova(-16, 10));
    }

    @Test
    void theExceptionCarriesTheRequestTheConstraintAndTheOffer() {
        WdAllocRequest r = WdAllocRequest.of(8192).contiguousIova();
        WdConstraintException e =
                new WdConstraintException(r, WdConstraintException.Constraint.CONTIGUOUS, 4096, "longest=4096");
        assertEquals(r, e.request());
        assertEquals(8192, e.requested());
        assertEquals(4096, e.offered());
        assertEquals(WdConstraintException.Constraint.CONTIGUOUS, e.constraint());
    }
}
