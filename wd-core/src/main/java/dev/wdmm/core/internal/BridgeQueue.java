package dev.wdmm.core.internal;

import static dev.wdmm.spi.WdArguments.hex;
import static java.util.Objects.requireNonNull;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.api.WdSlice;
import dev.wdmm.spi.WdArguments;
import dev.wdmm.spi.WdRegionSource;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A queue over a bridge: memory inside the reserved region maps by slice arithmetic, anything
 * else through the bridge. Thread-safe: maps share a read lock; reserve and close take the write
 * lock. Closing releases the reserved region but leaves the bridge open.
 */
final class BridgeQueue implements WdQueue {
    private final IommuMode mode;
    private final WdMmBridge bridge;
    private final Optional<WdRegionSource> regionSource;
    private final String backend;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private WdReservedMemory reserved;
    private boolean closed;

    private BridgeQueue(IommuMode mode, WdMmBridge bridge, Optional<WdRegionSource> regionSource, String backend) {
        this.mode = requireNonNull(mode, "mode is null");
        this.bridge = requireNonNull(bridge, "bridge is null");
        this.regionSource = requireNonNull(regionSource, "regionSource is null");
        this.backend = requireNonNull(backend, "backend is null");
    }

    static BridgeQueue create(
            IommuMode mode, WdMmBridge bridge, Optional<WdRegionSource> regionSource, String backend) {
        return new BridgeQueue(mode, bridge, regionSource, backend);
    }

    @Override
    public IommuMode mode() {
        return mode;
    }

    @Override
    public WdMmBridge bridge() {
        return bridge;
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        lock.readLock().lock();
        try {
            requireOpen("iovaMap");
            long reservedIova = reservedIova(segment.address(), size);
            return reservedIova != -1 ? reservedIova : bridge.iovaMap(segment, size);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        lock.readLock().lock();
        try {
            requireOpen("iovaUnmap");
            long expected = reservedIova(segment.address(), size);
            if (expected == -1) {
                bridge.iovaUnmap(segment, iova, size);
            } else if (expected != iova) {
                throw new IllegalArgumentException(
                        "iova=" + hex(iova) + " must be " + hex(expected) + ", what iovaMap gives for va="
                                + hex(segment.address()) + " size=" + size + " in the reserved memory");
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The IOVA of a range inside the reserved region, -1 if it starts outside it; refuses crossings. */
    private long reservedIova(long address, long size) {
        WdReservedMemory region = reserved;
        if (region == null) {
            return -1;
        }
        List<WdSlice> slices = region.slices();
        int index = sliceIndex(slices, address);
        if (index < 0) {
            return -1;
        }
        WdSlice slice = slices.get(index);
        if (slice.contains(address, size)) {
            return slice.dma() + (address - slice.va());
        }
        long breakOffset = slice.va() + slice.size() - address;
        boolean last = index == slices.size() - 1;
        throw new WdMappingException(
                address,
                size,
                breakOffset,
                "va=" + hex(address) + " size=" + size
                        + (last
                                ? " runs past the end of the reserved memory"
                                : " crosses from slice va=" + hex(slice.va()) + " size=" + slice.size()
                                        + " into the next slice")
                        + " at offset " + breakOffset + " of the range; a range must lie inside one slice");
    }

    private static int sliceIndex(List<WdSlice> slices, long address) {
        int low = 0;
        int high = slices.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            WdSlice slice = slices.get(mid);
            if (Long.compareUnsigned(address, slice.va()) < 0) {
                high = mid - 1;
            } else if (Long.compareUnsigned(address - slice.va(), slice.size()) >= 0) {
                low = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    @Override
    public WdReservedMemory reserveMemory(long size) {
        WdArguments.requirePositive("size", size);
        lock.writeLock().lock();
        try {
            requireOpen("reserveMemory");
            if (reserved != null) {
                throw new IllegalStateException("size=" + size + " refused: this queue already reserved "
                        + reserved.segment().byteSize() + " bytes at va="
                        + hex(reserved.segment().address())
                        + " (memory is reserved once per queue)");
            }
            WdRegionSource source = regionSource.orElseThrow(() -> new IllegalStateException("size=" + size
                    + " refused: backend=" + backend + " has no region source, so its queues cannot reserve memory;"
                    + " use a backend with reserved memory (passthrough) or allocate through bridge()"));
            reserved = requireNonNull(source.reserve(size), "region source returned null");
            return reserved;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Optional<WdReservedMemory> reservedMemory() {
        lock.readLock().lock();
        try {
            requireOpen("reservedMemory");
            return Optional.ofNullable(reserved);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (reserved != null) {
                WdReservedMemory region = reserved;
                reserved = null;
                regionSource.orElseThrow().release(region);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void requireOpen(String operation) {
        if (closed) {
            throw new WdClosedException(operation + " on a closed queue of backend=" + backend);
        }
    }

    @Override
    public String toString() {
        return "WdQueue[backend=" + backend + ", mode=" + mode + ", reserved=" + (reserved != null) + "]";
    }
}
