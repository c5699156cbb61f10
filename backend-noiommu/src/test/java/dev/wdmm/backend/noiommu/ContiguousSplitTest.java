package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdContiguity;
import dev.wdmm.memory.sgl.ContiguousSgl;
import dev.wdmm.memory.sgl.SglPiece;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An SGL over memory that is not physically contiguous: a multi-page noiommu allocation split
 * into physically contiguous pieces with {@link ContiguousSgl}, each entry checked against the
 * test's own pagemap reader.
 */
@SuppressWarnings("restricted")
@NeedsKernel(pfns = true, pinning = true)
class ContiguousSplitTest {
    private static final long PAGE = Kernel.PAGE;

    private final NoIommuBridge bridge = NoIommuBridge.open();

    @AfterEach
    void close() {
        bridge.close();
    }

    @Test
    void splitPiecesAreMaximalPhysicallyContiguousRunsWithTheKernelsAddresses() {
        long length = 256 * PAGE + 100;
        MemorySegment buffer = bridge.alloc(length);
        long start = buffer.address() + 40;
        long size = length - 40;
        List<SglPiece> pieces = split(start, size);

        long expectedVa = start;
        for (SglPiece piece : pieces) {
            assertEquals(expectedVa, piece.va(), "pieces tile the buffer in order");
            assertTrue(piece.length() > 0, "piece " + piece);
            assertEquals(Kernel.physical(piece.va()), piece.iova(), "DMA address of " + piece);
            assertEquals(-1, Kernel.breakOffset(piece.va(), piece.length()), "piece " + piece + " is contiguous");
            long end = piece.va() + piece.length();
            if (end < start + size && piece.length() < (8L << 20)) {
                assertNotEquals(
                        Kernel.physical(piece.va()) + piece.length(),
                        Kernel.physical(end),
                        "piece " + piece + " stops where the kernel's pages stop being adjacent");
            }
            expectedVa = end;
        }
        assertEquals(start + size, expectedVa, "pieces cover the buffer exactly");
        bridge.free(buffer);
    }

    @Test
    void splitOfOneByteIsOneEntry() {
        MemorySegment buffer = bridge.alloc(3 * PAGE);
        long va = buffer.address() + PAGE + 7;
        List<SglPiece> pieces = split(va, 1);
        assertEquals(List.of(new SglPiece(va, Kernel.physical(va), 1)), pieces);
        bridge.free(buffer);
    }

    private List<SglPiece> split(long va, long length) {
        WdContiguity contiguity = bridge;
        return ContiguousSgl.split(
                va,
                length,
                (address, limit) -> contiguity.contiguousLength(
                        MemorySegment.ofAddress(address).reinterpret(limit), limit),
                address -> bridge.iovaMap(MemorySegment.ofAddress(address).reinterpret(1), 1));
    }
}
