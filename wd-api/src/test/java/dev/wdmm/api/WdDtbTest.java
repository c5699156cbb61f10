package dev.wdmm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class WdDtbTest {

    @Test
    void aFlatBufferCopiesInAndOutAndKeepsDsizeConsistent() {
        try (Arena arena = Arena.ofConfined()) {
            WdDtb empty = WdDtb.of(arena.allocate(64));
            assertEquals(WdBufferType.FLAT, empty.type());
            assertNull(empty.sgl());
            MemorySegment source = arena.allocate(40);
            for (int i = 0; i < 40; i++) {
                source.set(ValueLayout.JAVA_BYTE, i, (byte) (i + 1));
            }
            WdDtb full = empty.copyIn(source);
            assertEquals(40, full.dsize());
            assertEquals(64, full.bsize());
            assertEquals(0, empty.dsize(), "copyIn returns a new dtb");
            assertEquals(-1, full.validData().mismatch(source));
            MemorySegment target = arena.allocate(40);
            assertEquals(40, full.copyOut(target));
            assertEquals(-1, target.mismatch(source));
        }
    }

    @Test
    void copiesThatDoNotFitAreRefusedAndCopyNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(16);
            WdDtb dtb = new WdDtb(data, 8, 16);
            IllegalArgumentException in = assertThrows(
                    IllegalArgumentException.class,
                    () -> dtb.copyIn(arena.allocate(17).fill((byte) 7)));
            assertTrue(in.getMessage().contains("source.byteSize()=17 must be <= bsize=16"), in.getMessage());
            assertEquals(0, data.get(ValueLayout.JAVA_BYTE, 0), "nothing copied");
            IllegalArgumentException out =
                    assertThrows(IllegalArgumentException.class, () -> dtb.copyOut(arena.allocate(7)));
            assertTrue(out.getMessage().contains("target.byteSize()=7 must be >= dsize=8"), out.getMessage());
            assertThrows(NullPointerException.class, () -> dtb.copyIn(null));
            assertThrows(NullPointerException.class, () -> dtb.copyOut(null));
        }
    }

    @Test
    void theInvariantIsCheckedWithTheValueAndTheRule() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(16);
            assertMessage("bsize=17 must be <= data.byteSize()=16", () -> new WdDtb(data, 0, 17));
            assertMessage("dsize=9 must be <= bsize=8", () -> new WdDtb(data, 9, 8));
            assertMessage("dsize=-1 must be in [0, 0xFFFFFFFF]", () -> new WdDtb(data, -1, 8));
            assertMessage("must be a native segment", () -> new WdDtb(MemorySegment.ofArray(new byte[4]), 0, 4));
            assertThrows(NullPointerException.class, () -> WdDtb.of((MemorySegment) null));
            assertThrows(NullPointerException.class, () -> WdDtb.of((WdSgl) null));
        }
    }

    @Test
    void aFlatBufferOfAClosedSegmentThrowsInsteadOfTouchingIt() {
        Arena arena = Arena.ofShared();
        WdDtb dtb = new WdDtb(arena.allocate(16), 16, 16);
        arena.close();
        assertThrows(IllegalStateException.class, () -> dtb.copyOut(MemorySegment.ofArray(new byte[16])));
        assertThrows(IllegalStateException.class, () -> dtb.copyIn(MemorySegment.ofArray(new byte[16])));
    }

    @Test
    void aBridgeMapsAFlatDtbLikeItsSegment() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment owned = arena.allocate(4096, 4096);
            WdMmBridge bridge = WdMmBridge.of(
                    owned,
                    (usr, size) -> size <= usr.byteSize() ? usr : null,
                    (usr, va) -> {},
                    (usr, va, size) -> va.address() + 0x1000_0000L,
                    (usr, va, iova, size) -> {});
            MemorySegment buffer = bridge.alloc(4096);
            WdDtb dtb = new WdDtb(buffer, 100, 4096);
            long iova = bridge.iovaMap(dtb);
            assertEquals(bridge.iovaMap(buffer, 4096), iova);
            bridge.iovaUnmap(dtb, iova);
            assertThrows(NullPointerException.class, () -> bridge.iovaMap((WdDtb) null));
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
