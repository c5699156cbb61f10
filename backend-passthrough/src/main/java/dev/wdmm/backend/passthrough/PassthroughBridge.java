package dev.wdmm.backend.passthrough;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.core.memory.AllocationRegistry;
import dev.wdmm.core.pool.BlockPool;
import dev.wdmm.core.pool.BlockPoolSetup;
import dev.wdmm.spi.WdArguments;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/**
 * A bridge whose memory is a {@link BlockPool} over a reserved region. Every allocation takes one
 * block and is {@code size <= blockSize} bytes at the block's start; its IOVA is the block's IOVA
 * plus the offset. Allocations are tracked by an {@link AllocationRegistry} so that frees and maps
 * are checked against the allocated size, not only the block. Thread-safe: the pool and registry
 * are; {@link #close()} is idempotent and a caller error while other threads still use the bridge.
 */
final class PassthroughBridge implements WdMmBridge {
    private final BlockPool pool;
    private final WdReservedMemory region;
    private final WdRegionSource owner;
    private final AllocationRegistry<Boolean> live = new AllocationRegistry<>("passthrough bridge");
    private volatile boolean closed;

    private PassthroughBridge(BlockPool pool, WdReservedMemory region, WdRegionSource owner) {
        this.pool = pool;
        this.region = region;
        this.owner = owner;
    }

    /** A bridge over a region it reserves from {@code source} and releases on close. */
    static PassthroughBridge reserve(WdRegionSource source, BlockPoolSetup setup) {
        long bytes = setup.alignment() - 1 + Math.multiplyExact(setup.stride(), setup.blockCount());
        WdReservedMemory region = source.reserve(bytes);
        try {
            return new PassthroughBridge(BlockPool.create(region, setup), region, source);
        } catch (RuntimeException | Error e) {
            source.release(region);
            throw e;
        }
    }

    /** A bridge over a region someone else owns (a queue's reserved memory); close keeps it. */
    static PassthroughBridge over(WdReservedMemory region, BlockPoolSetup setup) {
        return new PassthroughBridge(BlockPool.create(region, setup), region, null);
    }

    @Override
    public MemorySegment alloc(long size) {
        checkOpen();
        WdArguments.requirePositive("size", size);
        if (size > pool.blockSize()) {
            throw new IllegalArgumentException("size=" + size + " must be <= blockSize=" + pool.blockSize()
                    + " (this bridge serves fixed-size blocks; raise " + PassthroughBackendProvider.BLOCK_SIZE.name() + ")");
        }
        long address = pool.allocAddress();
        if (address == BlockPool.NO_BLOCK) {
            throw new WdAllocationException(size, "size=" + size + ": all " + pool.blockCount()
                    + " blocks of blockSize=" + pool.blockSize() + " are allocated (allocFailures="
                    + pool.allocFailures() + "; raise " + PassthroughBackendProvider.BLOCK_COUNT.name() + ")");
        }
        live.register(address, size, Boolean.TRUE);
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        live.remove(segment.address());
        pool.freeAddress(segment.address());
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        live.find(segment.address(), size);
        return pool.iovaMap(segment.address(), size);
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        live.find(segment.address(), size);
        long expected = pool.iovaMap(segment.address(), size);
        if (iova != expected) {
            throw new IllegalArgumentException("iova=" + hex(iova) + " must be " + hex(expected)
                    + ", the IOVA of va=" + hex(segment.address()) + " size=" + size);
        }
    }

    @Override
    public OptionalLong bufferSize() {
        return OptionalLong.of(pool.blockSize());
    }

    /**
     * Frees every block still allocated, destroys the pool and, if this bridge reserved the
     * region, releases it. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        live.drain().forEach(entry -> pool.freeAddress(entry.address()));
        pool.destroy();
        if (owner != null) {
            owner.release(region);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new WdClosedException("passthrough bridge over region va=" + hex(region.segment().address())
                    + " is closed");
        }
    }

    @Override
    public String toString() {
        return "passthrough bridge (blockSize=" + pool.blockSize() + ", blocks=" + pool.blockCount() + ", free="
                + pool.freeBlocks() + ", region va=" + hex(region.segment().address()) + ", slices="
                + region.slices().size() + ")";
    }
}
