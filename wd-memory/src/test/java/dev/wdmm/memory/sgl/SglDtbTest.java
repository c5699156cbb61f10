package dev.wdmm.memory.sgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdBufferType;
import dev.wdmm.api.WdDtb;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A {@link WdDtb} of type SGL over a pool's chain: the seed's wd_dtb/wd_buff_type on the data path. */
class SglDtbTest {
    private static final long DMA = 0x7_0000_0000L;
    private final Arena arena = Arena.ofShared();
    private final SglPoolSetup setup = new SglPoolSetup(8, 4, 2, 2048, 64);
    private final MemorySegment memory = arena.allocate(64 * 1024, 4096);
    private final SglPool pool = SglPool.create(
            new WdReservedMemory(memory, List.of(new WdSlice(memory.address(), DMA, memory.byteSize()))), setup);

    @AfterEach
    void close() {
        pool.destroy();
        arena.close();
    }

    @Test
    void anSglDtbCarriesTheChainAndCopiesThroughItsBuffers() {
        Sgl chain = pool.alloc(3000);
        WdDtb dtb = WdDtb.of(chain);
        assertEquals(WdBufferType.SGL, dtb.type());
        assertSame(chain, dtb.sgl());
        assertEquals(chain.image().address(), dtb.data().address(), "data is the chain's image, as in C");
        assertEquals(3000, dtb.bsize());
        MemorySegment source = arena.allocate(2500);
        for (int i = 0; i < 2500; i++) {
            source.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
        }
        WdDtb written = dtb.copyIn(source);
        assertEquals(2500, written.dsize());
        // the bytes sit in the chain's buffers, entry after entry
        MemorySegment first = chain.buffer(0);
        assertEquals(-1, first.mismatch(source.asSlice(0, first.byteSize())));
        assertEquals(
                -1, chain.buffer(1).asSlice(0, 2500 - first.byteSize()).mismatch(source.asSlice(first.byteSize())));
        MemorySegment back = arena.allocate(2500);
        assertEquals(2500, written.copyOut(back));
        assertEquals(-1, back.mismatch(source));
        assertThrows(IllegalStateException.class, written::validData, "an SGL's data is not one segment");
        pool.free(chain);
    }

    @SuppressWarnings("restricted") // a bridge over the test's own arena memory, mapping at a fixed offset
    @Test
    void aBridgeAndAQueueGiveTheChainsHeadDmaForAnSglDtb() {
        WdMmBridge bridge = WdMmBridge.of(
                memory,
                (usr, size) -> null,
                (usr, va) -> {},
                (usr, va, size) -> va.address() + 0x1000,
                (usr, va, iova, size) -> {});
        Sgl chain = pool.alloc(5000);
        WdDtb dtb = WdDtb.of(chain).withDsize(10);
        long iova = bridge.iovaMap(dtb);
        assertEquals(chain.dma(), iova);
        bridge.iovaUnmap(dtb, iova);
        IllegalArgumentException wrong =
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(dtb, iova + 64));
        assertTrue(
                wrong.getMessage().contains("must be the SGL's head dma=0x" + Long.toHexString(iova)),
                wrong.getMessage());
        pool.free(chain);
        assertThrows(IllegalStateException.class, () -> bridge.iovaMap(dtb), "a freed chain has no DMA address");
        assertThrows(IllegalStateException.class, () -> WdDtb.of(chain));
    }

    @Test
    void anSglDtbRefusesSizesBeyondTheChainAndForeignImages() {
        Sgl chain = pool.alloc(3000);
        Sgl other = pool.alloc(100);
        IllegalArgumentException big =
                assertThrows(IllegalArgumentException.class, () -> new WdDtb(chain.image(), 0, 3001, chain));
        assertTrue(big.getMessage().contains("bsize=3001 must be <= sgl.size()=3000"), big.getMessage());
        IllegalArgumentException foreign =
                assertThrows(IllegalArgumentException.class, () -> new WdDtb(other.image(), 0, 100, chain));
        assertTrue(foreign.getMessage().contains("must be the SGL's image"), foreign.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WdDtb.of(chain).copyIn(arena.allocate(3001)));
        pool.free(other);
        pool.free(chain);
    }

    @Test
    void aNegativeEntryIndexIsRefusedInsteadOfReachingAnotherChainsBuffer() {
        Sgl first = pool.alloc(5000);
        Sgl second = pool.alloc(5000);
        for (Sgl chain : List.of(first, second)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> chain.buffer(-1));
            assertTrue(e.getMessage().contains("k=-1 must be in [0, entryCount="), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> chain.buffer(Integer.MIN_VALUE));
        }
        assertNotEquals(first.buffer(0).address(), second.buffer(0).address());
        pool.free(first);
        pool.free(second);
    }
}
