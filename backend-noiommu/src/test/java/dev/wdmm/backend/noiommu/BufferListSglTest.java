package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdDtb;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.memory.sgl.BufferListSgl;
import dev.wdmm.memory.sgl.HwSgl;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An SGL over a list of the caller's noiommu buffers (UADK v2's hisi_qm_get_hw_sgl over a
 * wd_datalist): every entry's DMA address and length checked against the test's own pagemap
 * reading, the images' chain read back from their bytes.
 */
@NeedsKernel(pfns = true, pinning = true)
class BufferListSglTest {
    private static final long PAGE = Kernel.PAGE;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final NoIommuBridge bridge = NoIommuBridge.open();

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void everyEntryIsAPhysicallyContiguousPieceWithTheKernelsAddress() {
        List<MemorySegment> buffers = List.of(
                bridge.alloc(64),
                bridge.alloc(300 * PAGE + 5),
                bridge.alloc(3 * PAGE).asSlice(100, 2 * PAGE));
        try (BufferListSgl sgl = BufferListSgl.create(bridge, buffers)) {
            long covered = 0;
            for (int k = 0; k < sgl.entryCount(); k++) {
                MemorySegment piece = sgl.buffer(k);
                assertEquals(
                        -1, Kernel.breakOffset(piece.address(), piece.byteSize()), "entry " + k + " is contiguous");
                assertEquals(piece.byteSize(), sgl.dataLength(k), "entry " + k + " length in the image");
                if (k < BufferListSgl.ENTRIES_PER_SGL) {
                    long at = HwSgl.HEADER_BYTES + (long) HwSgl.ENTRY_BYTES * k;
                    assertEquals(
                            Kernel.physical(piece.address()), sgl.image().get(U64, at), "entry " + k + " DMA address");
                }
                covered += piece.byteSize();
            }
            assertEquals(64 + 300 * PAGE + 5 + 2 * PAGE, covered, "the entries tile the buffers");
            assertEquals(covered, sgl.size());
            assertTrue(sgl.entryCount() >= 3, "at least one entry per buffer");
            assertEquals(Kernel.physical(sgl.image().address()), sgl.dma(), "the device is given the image's frame");
            // the chain continues from image to image at the next image's physical address
            if (sgl.sglCount() > 1) {
                long next = sgl.image().get(U64, HwSgl.NEXT_DMA_OFFSET);
                assertTrue(next != 0 && (next & 63) == 0, "next=" + Long.toHexString(next));
            }
        }
        assertEquals(3, liveAllocations(), "close freed the images and left the caller's three buffers");
    }

    @Test
    void anSglDtbOverTheCallersBuffersCopiesThroughThem() {
        MemorySegment a = bridge.alloc(5000);
        MemorySegment b = bridge.alloc(3000);
        try (Arena arena = Arena.ofConfined();
                BufferListSgl sgl = BufferListSgl.create(bridge, List.of(a, b))) {
            MemorySegment payload = arena.allocate(7000);
            for (int i = 0; i < 7000; i++) {
                payload.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
            }
            WdDtb dtb = WdDtb.of(sgl).copyIn(payload);
            assertEquals(7000, dtb.dsize());
            assertEquals(-1, a.mismatch(payload.asSlice(0, 5000)), "the first buffer holds the first 5000 bytes");
            assertEquals(-1, b.asSlice(0, 2000).mismatch(payload.asSlice(5000)));
            assertEquals(sgl.dma(), bridge.iovaMap(dtb));
        }
    }

    @Test
    void foreignBuffersAreRefusedAndNothingStaysAllocated() {
        MemorySegment own = bridge.alloc(PAGE);
        long live = liveAllocations();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(PAGE);
            assertThrows(WdOwnershipException.class, () -> BufferListSgl.create(bridge, List.of(own, foreign)));
        }
        assertEquals(live, liveAllocations(), "no image left allocated");
        assertThrows(IllegalArgumentException.class, () -> BufferListSgl.create(bridge, List.of()));
        assertThrows(NullPointerException.class, () -> BufferListSgl.create(bridge, null));
        BufferListSgl sgl = BufferListSgl.create(bridge, List.of(own));
        sgl.close();
        sgl.close();
        assertThrows(IllegalStateException.class, sgl::dma);
        assertThrows(IllegalStateException.class, () -> sgl.buffer(0));
        assertEquals(live, liveAllocations(), "close freed the image, not the caller's buffer");
        bridge.free(own);
    }

    private long liveAllocations() {
        return bridge.liveAllocations();
    }
}
