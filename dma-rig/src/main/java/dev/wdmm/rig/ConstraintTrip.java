package dev.wdmm.rig;

import dev.wdmm.api.WdAllocRequest;
import dev.wdmm.api.WdConstrainedAlloc;
import dev.wdmm.api.WdConstraintException;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves constrained allocations ({@link WdConstrainedAlloc}) by DMA: for each request the
 * allocation's IOVA is checked against the alignment, the boundary and the DMA mask, then the device
 * reads the whole allocation through that one IOVA ({@link DeviceReader}: pieces at
 * {@code iova + offset}, so a range that is not really contiguous mismatches) and must find zeros
 * where the request was zeroed (after the same memory was dirtied by a previous allocation), then the
 * CPU's pattern. In the plain guest every page's IOVA must also equal the physical address the
 * rig's own pagemap reader gives. A refusal ({@link WdConstraintException}) is accepted only where
 * the rig allows it (multi-page contiguity on 4 KiB pages or non-adjacent huge pages, a mask below
 * the memory the guest gave) and printed as an {@code INFO} line with the machine's offer. Not
 * thread-safe.
 */
final class ConstraintTrip {
    private final DeviceReader reader;
    private final RawPagemap pagemap;
    private final List<String> notes = new ArrayList<>();
    private int proven;

    /** {@code pagemap} null where IOVAs are not physical addresses (the viommu guest). */
    ConstraintTrip(EduDevice edu, DmaSubject subject, RawPagemap pagemap) {
        this.reader = new DeviceReader(edu, subject);
        this.pagemap = pagemap;
    }

    long bytes() {
        return reader.bytes();
    }

    int proven() {
        return proven;
    }

    List<String> notes() {
        return notes;
    }

    /** Runs every request against {@code bridge}; throws {@link RigException} on the first wrong allocation. */
    void check(String name, WdMmBridge bridge, long seed) {
        WdConstrainedAlloc constrained = bridge.unwrap(WdConstrainedAlloc.class)
                .orElseThrow(() -> new RigException(name + " offers no WdConstrainedAlloc"));
        must(
                name,
                bridge,
                constrained,
                WdAllocRequest.of(3000).withBoundary(4096).zeroedMemory(),
                seed);
        must(
                name,
                bridge,
                constrained,
                WdAllocRequest.of(100).withAlignment(2048).zeroedMemory(),
                seed + 1);
        may(
                name,
                bridge,
                constrained,
                WdAllocRequest.of(12_411).contiguousIova().zeroedMemory().withAlignment(4096),
                seed + 2);
        may(
                name,
                bridge,
                constrained,
                WdAllocRequest.of(300_000).contiguousIova().zeroedMemory().withDmaBits(30),
                seed + 3);
        may(name, bridge, constrained, WdAllocRequest.of((4L << 20) + 4096).contiguousIova(), seed + 4);
        // a 32-bit device: every page of the plain guest is below 2 GiB; vfio's IOVAs start at 4 GiB by default
        may(name, bridge, constrained, WdAllocRequest.of(3000).zeroedMemory().withDmaBits(32), seed + 5);
    }

    private void must(
            String name, WdMmBridge bridge, WdConstrainedAlloc constrained, WdAllocRequest request, long seed) {
        prove(name, bridge, dirtyThenAlloc(bridge, constrained, request), request, seed);
    }

    private void may(
            String name, WdMmBridge bridge, WdConstrainedAlloc constrained, WdAllocRequest request, long seed) {
        MemorySegment memory;
        try {
            memory = dirtyThenAlloc(bridge, constrained, request);
        } catch (WdConstraintException e) {
            notes.add("INFO constrained " + name + " refused as allowed: " + e.constraint() + " offered=" + e.offered()
                    + " (" + e.getMessage() + ")");
            return;
        } catch (IllegalArgumentException e) {
            notes.add("INFO constrained " + name + " refused as beyond what it can ever serve: " + e.getMessage());
            return;
        }
        prove(name, bridge, memory, request, seed);
    }

    /** Dirties memory of the request's size and frees it first, so a zeroed request must really zero. */
    private static MemorySegment dirtyThenAlloc(
            WdMmBridge bridge, WdConstrainedAlloc constrained, WdAllocRequest request) {
        MemorySegment dirty = bridge.alloc(Math.max(request.size(), request.alignment()));
        dirty.fill((byte) 0xC3);
        bridge.free(dirty);
        return constrained.alloc(request);
    }

    /**
     * Up to 256 KiB: the whole range. Larger: 8 KiB windows at the start, across every 2 MiB
     * boundary (where huge pages meet) and at the end, so a DMA under TCG stays short.
     */
    private void readWindows(long iova, MemorySegment expected, String what) {
        long size = expected.byteSize();
        if (size <= 256 * 1024) {
            reader.readEquals(iova, expected, what);
            return;
        }
        long window = 8192;
        for (long at = 0; at < size; at += 2L << 20) {
            long from = Math.max(0, at - window / 2);
            reader.readEquals(iova + from, expected.asSlice(from, Math.min(window, size - from)), what);
        }
        reader.readEquals(iova + size - window, expected.asSlice(size - window, window), what);
    }

    private void prove(String name, WdMmBridge bridge, MemorySegment memory, WdAllocRequest request, long seed) {
        try {
            long size = request.size();
            long iova = bridge.iovaMap(memory, request.contiguous() ? size : 1);
            String what = name + " constrained " + request + " iova=0x" + Long.toHexString(iova);
            if ((iova & (request.alignment() - 1)) != 0 || !request.insideBoundary(iova)) {
                throw new RigException(what + " breaks the alignment or the boundary");
            }
            if (request.contiguous() && !request.belowMaxIova(iova, size)) {
                throw new RigException(what + " is above maxIova");
            }
            if (pagemap != null) {
                long reach = request.contiguous()
                        ? size
                        : Math.min(size, RawPagemap.PAGE - memory.address() % RawPagemap.PAGE);
                for (long page = 0;
                        page < reach;
                        page += RawPagemap.PAGE - (memory.address() + page) % RawPagemap.PAGE) {
                    long physical = pagemap.physical(memory.address() + page);
                    if (physical != iova + page) {
                        throw new RigException(what + " offset=" + page + " pagemap=0x" + Long.toHexString(physical)
                                + " but the bridge's IOVA says 0x" + Long.toHexString(iova + page));
                    }
                }
            }
            long readable =
                    request.contiguous() ? size : Math.min(size, RawPagemap.PAGE - memory.address() % RawPagemap.PAGE);
            MemorySegment range = memory.asSlice(0, readable);
            if (request.zeroed()) {
                MemorySegment zeros = java.lang.foreign.Arena.ofAuto().allocate(readable);
                if (range.mismatch(zeros) >= 0) {
                    throw new RigException(what + " not zero as the CPU sees it");
                }
                readWindows(iova, zeros, what + " (zeros)");
            }
            RoundTrip.fill(range, seed);
            readWindows(iova, range, what);
            proven++;
        } finally {
            bridge.free(memory);
        }
    }
}
