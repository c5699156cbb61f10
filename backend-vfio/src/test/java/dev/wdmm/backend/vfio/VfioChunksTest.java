package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.ChunkAllocator;
import dev.wdmm.memory.alloc.ChunkMemory;
import dev.wdmm.memory.nativeio.VfioIommuInfo;
import dev.wdmm.memory.nativeio.VfioIommuInfo.IovaRange;
import dev.wdmm.memory.nativeio.VfioMappings;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chunk source's bookkeeping over real memory, against the type1 v2 rules ({@link Type1Rules}):
 * one map per chunk whatever the number of allocations and maps, arithmetic IOVAs inside the usable
 * ranges, unmap per release, shortages and refusals that leave nothing behind.
 */
class VfioChunksTest {
    private static final long BASE = 1L << 32;
    private static final VfioIommuInfo X86 = new VfioIommuInfo(
            0x40201000L, List.of(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0x7fffffffffL)), 65535);

    @Test
    void oneMapPerChunkNotPerAllocationOrMapCall() {
        Type1Rules kernel = new Type1Rules(X86, 65535);
        VfioChunks chunks = new VfioChunks(kernel, IovaAllocator.over(X86.ranges(), BASE, 1L << 39), X86);
        List<Long> addresses = new ArrayList<>();
        try (ChunkAllocator allocator = ChunkAllocator.open(chunks, new AllocatorSettings("test", 1, 1))) {
            for (int i = 0; i < 2000; i++) {
                long address = allocator.allocAddress(4096);
                addresses.add(address);
                for (int offset = 0; offset < 4096; offset += 1000) {
                    long iova = allocator.iovaMapAddress(address + offset, 4096 - offset);
                    assertTrue(X86.usable(iova, 4096 - offset));
                    assertEquals(iova - offset, allocator.iovaMapAddress(address, 1), "arithmetic in the chunk");
                }
            }
            VfioMappings.Statistics stats = chunks.statistics();
            assertEquals(allocator.heldChunks(), stats.chunksAcquired());
            assertEquals(stats.chunksAcquired(), stats.mapIoctls());
            assertEquals(stats.chunksAcquired(), kernel.live());
            assertTrue(stats.mapIoctls() <= 2000 * 4096 / VfioChunks.CHUNK_SIZE + 1, stats.toString());
            addresses.forEach(allocator::freeAddress);
        }
        VfioMappings.Statistics closed = chunks.statistics();
        assertEquals(closed.mapIoctls(), closed.unmapIoctls(), closed.toString());
        assertEquals(0, kernel.live());
        assertEquals(0, closed.kernelMappings());
    }

    @Test
    void aLargeAllocationIsOneMappingUnmappedWhenFreed() {
        Type1Rules kernel = new Type1Rules(X86, 65535);
        IovaAllocator iovas = IovaAllocator.over(X86.ranges(), BASE, 1L << 39);
        long free = iovas.freeBytes();
        VfioChunks chunks = new VfioChunks(kernel, iovas, X86);
        try (ChunkAllocator allocator = ChunkAllocator.open(chunks, new AllocatorSettings("test", 0, 1))) {
            MemorySegment big = allocator.alloc(5L << 20);
            long iova = allocator.iovaMapAddress(big.address(), big.byteSize());
            assertEquals(0, iova % VfioChunks.CHUNK_SIZE, "2 MiB-aligned IOVA");
            assertEquals(big.address(), kernel.vaddrAt(iova), "the kernel maps the chunk's own memory");
            assertEquals(iova + 12345, allocator.iovaMapAddress(big.address() + 12345, 100));
            allocator.freeAddress(big.address());
            assertEquals(0, kernel.live());
            assertEquals(free, iovas.freeBytes(), "the IOVA range is free again");
            assertThrows(IllegalStateException.class, () -> big.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
        assertEquals(1, kernel.maps);
        assertEquals(1, kernel.unmaps);
    }

    @Test
    void chunksAdjacentInAddressesAreAdjacentInIovas() {
        Type1Rules kernel = new Type1Rules(X86, 65535);
        VfioChunks chunks = new VfioChunks(kernel, IovaAllocator.over(X86.ranges(), BASE, 1L << 39), X86);
        List<ChunkMemory> held = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            held.add(chunks.acquire(VfioChunks.CHUNK_SIZE, 64));
        }
        int pairs = 0;
        for (ChunkMemory a : held) {
            for (ChunkMemory b : held) {
                if (a.segment().address() + a.segment().byteSize()
                        == b.segment().address()) {
                    pairs++;
                    assertEquals(a.iova() + a.segment().byteSize(), b.iova(), a + " then " + b);
                }
            }
        }
        assertEquals(
                pairs, chunks.statistics().adjacentChunks(), chunks.statistics().toString());
        held.forEach(chunks::release);
        assertEquals(0, kernel.live());
    }

    @Test
    void theContainersMappingLimitIsAShortageThatLeavesNothingBehind() {
        Type1Rules kernel = new Type1Rules(X86, 2);
        IovaAllocator iovas = IovaAllocator.over(X86.ranges(), BASE, 1L << 39);
        long free = iovas.freeBytes();
        VfioChunks chunks = new VfioChunks(kernel, iovas, X86);
        try (ChunkAllocator allocator = ChunkAllocator.open(chunks, new AllocatorSettings("test", 0, 1))) {
            allocator.allocAddress(3L << 20);
            allocator.allocAddress(3L << 20);
            WdAllocationException e = assertThrows(WdAllocationException.class, () -> allocator.allocAddress(3L << 20));
            assertTrue(e.getMessage().contains("dma_entry_limit"), e.getMessage());
            assertTrue(e.getMessage().contains("in 2 kernel mappings"), e.getMessage());
            assertEquals(2, kernel.live());
            assertEquals(free - 2 * (3L << 20), iovas.freeBytes(), "the refused chunk's IOVA was given back");
        }
        assertEquals(0, kernel.live());
    }

    @Test
    void vaModeUsesTheAddressOrRefusesItWithTheRanges() {
        Type1Rules kernel = new Type1Rules(X86, 65535);
        VfioChunks outside = new VfioChunks(kernel, null, X86);
        WdAllocationException e =
                assertThrows(WdAllocationException.class, () -> outside.acquire(VfioChunks.CHUNK_SIZE, 100));
        assertTrue(
                e.getMessage()
                        .contains("lies outside the usable IOVA ranges [[0x0, 0xfedfffff], [0xfef00000,"
                                + " 0x7fffffffff]]; fix: wd.mm.vfio.iova.mode=allocated"),
                e.getMessage());
        assertEquals(0, kernel.maps, "refused before the kernel is asked");

        VfioIommuInfo wide = new VfioIommuInfo(0, List.of(new IovaRange(0, (1L << 48) - 1)), 65535);
        VfioChunks identity = new VfioChunks(new Type1Rules(wide, 65535), null, wide);
        ChunkMemory chunk = identity.acquire(VfioChunks.CHUNK_SIZE, 100);
        assertEquals(chunk.segment().address(), chunk.iova());
        assertEquals(
                chunk.segment().address() + 77, chunk.translate(chunk.segment().address() + 77, 10));
        assertEquals("va", identity.statistics().iovaMode());
        identity.release(chunk);
    }
}
