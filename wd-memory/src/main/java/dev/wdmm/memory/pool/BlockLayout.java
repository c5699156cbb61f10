package dev.wdmm.memory.pool;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where the blocks of a pool lie: candidate positions at a fixed stride from the aligned start of
 * the region, which of them were kept, and each kept block's IOVA. Immutable after creation;
 * the arrays are never written once the pool exists, so any thread may read them.
 */
final class BlockLayout {
    final MemorySegment region;
    final long base;
    final long stride;
    final int strideShift;
    final long blockSize;
    final int positions;
    /** Block index of each candidate position, or -1 for a skipped candidate. */
    final int[] positionToBlock;
    /** Candidate position of each block. */
    final int[] blockPosition;
    /** IOVA of each block's first byte. */
    final long[] blockIova;
    /**
     * For each block, how many blocks a run starting there may span: 1, plus the reach of the next
     * block when that block sits at the next candidate position and the bytes from this block's
     * start to the end of the next block form one DMA-contiguous range (checked at creation).
     */
    final int[] reach;
    /** The longest run the layout can ever give: the largest {@link #reach}. */
    final int maxRun;

    final int skipped;
    /** No candidate skipped and a power-of-two stride: block index and position coincide. */
    private final boolean dense;
    /** Bytes from {@link #base} covered by candidate positions. */
    private final long span;

    private BlockLayout(
            MemorySegment region,
            BlockPoolSetup setup,
            int positions,
            int[] positionToBlock,
            int[] blockPosition,
            long[] blockIova,
            boolean[] joinsNext,
            int kept) {
        this.region = region;
        this.base = alignUp(region.address(), setup.alignment());
        this.stride = setup.stride();
        this.strideShift = Long.bitCount(stride) == 1 ? Long.numberOfTrailingZeros(stride) : -1;
        this.blockSize = setup.blockSize();
        this.positions = positions;
        this.positionToBlock = Arrays.copyOf(positionToBlock, positions);
        this.blockPosition = Arrays.copyOf(blockPosition, kept);
        this.blockIova = Arrays.copyOf(blockIova, kept);
        this.reach = new int[kept];
        int longest = kept == 0 ? 0 : 1;
        for (int b = kept - 1; b >= 0; b--) {
            reach[b] = b + 1 < kept && joinsNext[b] ? reach[b + 1] + 1 : 1;
            longest = Math.max(longest, reach[b]);
        }
        this.maxRun = longest;
        this.skipped = positions - kept;
        this.dense = skipped == 0 && strideShift >= 0;
        this.span = positions * stride;
    }

    int blocks() {
        return blockPosition.length;
    }

    long address(int block) {
        if (dense) {
            return base + ((long) block << strideShift);
        }
        return base + blockPosition[block] * stride;
    }

    /** The block whose bytes hold {@code address}, or -1 (outside, padding or skipped). */
    int blockOf(long address) {
        long offset = address - base;
        if (Long.compareUnsigned(offset, span) >= 0) {
            return -1;
        }
        if (dense) {
            return (offset & (stride - 1)) < blockSize ? (int) (offset >>> strideShift) : -1;
        }
        long position = strideShift >= 0 ? offset >>> strideShift : offset / stride;
        if (offset - position * stride >= blockSize) {
            return -1;
        }
        return positionToBlock[(int) position];
    }

    /**
     * The block whose candidate position covers {@code address}, padding after the block included,
     * or -1 (outside, or a skipped candidate).
     */
    int blockOfPosition(long address) {
        long offset = address - base;
        if (Long.compareUnsigned(offset, span) >= 0) {
            return -1;
        }
        return positionToBlock[(int) (strideShift >= 0 ? offset >>> strideShift : offset / stride)];
    }

    /** Bytes a run of {@code blocks} adjacent blocks spans: {@code (blocks - 1) * stride + blockSize}. */
    long runBytes(int blocks) {
        return (blocks - 1) * stride + blockSize;
    }

    static BlockLayout fromRegion(WdReservedMemory memory, BlockPoolSetup setup) {
        Objects.requireNonNull(memory, "region is null");
        Objects.requireNonNull(setup, "setup is null");
        MemorySegment region = memory.segment();
        if (!region.scope().isAlive()) {
            // the queue that reserved it was closed: its memory is unmapped, never touch it
            throw new WdClosedException("region va=" + hex(region.address()) + " size=" + region.byteSize()
                    + " was released (its queue was closed): a pool needs a live reserved region");
        }
        List<WdSlice> slices = memory.slices();
        long base = alignUp(region.address(), setup.alignment());
        long end = region.address() + region.byteSize();
        int want = (int) setup.blockCount();
        long room = Long.compareUnsigned(base, end) >= 0 ? 0 : (end - base) / setup.stride();
        int candidates = (int) Math.min(room, Integer.MAX_VALUE - 8L);
        int[] toBlock = new int[(int) Math.min(candidates, want * 2L + 16)];
        int[] position = new int[Math.min(want, candidates)];
        long[] iova = new long[position.length];
        boolean[] joins = new boolean[position.length];
        int kept = 0;
        int p = 0;
        int slice = 0;
        int previousSlice = -1;
        for (; p < candidates && kept < want; p++) {
            long start = base + p * setup.stride();
            while (slices.get(slice).va() + slices.get(slice).size() <= start) {
                slice++;
            }
            if (p == toBlock.length) {
                toBlock = Arrays.copyOf(toBlock, (int) Math.min(candidates, toBlock.length * 2L));
            }
            if (withinContiguousRun(slices, slice, start, setup.blockSize())) {
                toBlock[p] = kept;
                position[kept] = p;
                iova[kept] =
                        slices.get(slice).dma() + (start - slices.get(slice).va());
                if (kept > 0 && position[kept - 1] == p - 1) {
                    // the previous block, its padding and this block: one DMA range, per the slice table
                    long previous = start - setup.stride();
                    joins[kept - 1] = iova[kept] - iova[kept - 1] == setup.stride()
                            && withinContiguousRun(slices, previousSlice, previous, setup.stride() + setup.blockSize());
                }
                previousSlice = slice;
                kept++;
            } else {
                toBlock[p] = -1;
            }
        }
        requireEnough(setup, kept, p, region, () -> {});
        return new BlockLayout(region, setup, p, toBlock, position, iova, joins, kept);
    }

    static BlockLayout fromBridge(WdMmBridge bridge, BlockPoolSetup setup) {
        Objects.requireNonNull(bridge, "bridge is null");
        Objects.requireNonNull(setup, "setup is null");
        int want = (int) setup.blockCount();
        MemorySegment region = bridge.alloc(setup.alignment() - 1 + setup.stride() * want);
        try {
            long base = alignUp(region.address(), setup.alignment());
            int[] toBlock = new int[want];
            int[] position = new int[want];
            long[] iova = new long[want];
            boolean[] joins = new boolean[want];
            int kept = 0;
            for (int p = 0; p < want; p++) {
                long offset = base - region.address() + p * setup.stride();
                try {
                    iova[kept] = bridge.iovaMap(region.asSlice(offset, setup.blockSize()), setup.blockSize());
                    toBlock[p] = kept;
                    position[kept++] = p;
                } catch (WdMappingException notContiguous) {
                    toBlock[p] = -1;
                    continue;
                }
                if (kept > 1 && position[kept - 2] == p - 1 && iova[kept - 1] - iova[kept - 2] == setup.stride()) {
                    joins[kept - 2] = bridgeJoins(bridge, region, offset - setup.stride(), iova[kept - 2], setup);
                }
            }
            requireEnough(setup, kept, want, region, () -> bridge.free(region));
            return new BlockLayout(region, setup, want, toBlock, position, iova, joins, kept);
        } catch (RuntimeException | Error e) {
            if (!(e instanceof WdAllocationException)) {
                bridge.free(region);
            }
            throw e;
        }
    }

    /**
     * Whether the bridge maps the block at {@code offset}, its padding and the next block as one
     * range at the block's own IOVA. Checked only when the next block's IOVA is one stride on, so a
     * bridge that maps each call at a new IOVA is not asked; the trial mapping is undone.
     */
    private static boolean bridgeJoins(
            WdMmBridge bridge, MemorySegment region, long offset, long iova, BlockPoolSetup setup) {
        long size = setup.stride() + setup.blockSize();
        MemorySegment pair = region.asSlice(offset, size);
        long pairIova;
        try {
            pairIova = bridge.iovaMap(pair, size);
        } catch (WdMappingException notContiguous) {
            return false;
        }
        bridge.iovaUnmap(pair, pairIova, size);
        return pairIova == iova;
    }

    /** Whether {@code [start, start + size)} lies in slice {@code first} and DMA-adjacent followers. */
    private static boolean withinContiguousRun(List<WdSlice> slices, int first, long start, long size) {
        long end = start + size;
        int k = first;
        while (slices.get(k).va() + slices.get(k).size() < end) {
            WdSlice here = slices.get(k);
            if (k + 1 == slices.size() || slices.get(k + 1).dma() != here.dma() + here.size()) {
                return false;
            }
            k++;
        }
        return true;
    }

    private static void requireEnough(
            BlockPoolSetup setup, int kept, int scanned, MemorySegment region, Runnable release) {
        if (setup.accepts(kept)) {
            return;
        }
        release.run();
        throw new WdAllocationException(
                setup.blockSize() * setup.blockCount(),
                "block pool: obtained="
                        + kept + " of requested blockCount=" + setup.blockCount() + " (blockSize=" + setup.blockSize()
                        + " stride=" + setup.stride() + ", candidates=" + scanned + ", skipped=" + (scanned - kept)
                        + " straddling non-contiguous memory, region va=" + hex(region.address()) + " size="
                        + region.byteSize() + "); UADK's rule needs obtained > floor(87*blockCount/100)="
                        + setup.minimumExclusive() + ": reserve a larger or more contiguous region");
    }

    static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
