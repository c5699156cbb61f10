package dev.wdmm.memory.sgl;

import static dev.wdmm.spi.WdArguments.hex;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A handle on a chain of a {@link PooledSglPool}: its head SGL and the generation of the
 * allocation, checked on every call so that a stale handle is refused.
 */
final class PooledSgl implements Sgl {
    final PooledSglPool pool;
    final int head;
    final int generation;

    PooledSgl(PooledSglPool pool, int head, int generation) {
        this.pool = pool;
        this.head = head;
        this.generation = generation;
    }

    @Override
    public long dma() {
        synchronized (pool) {
            return pool.imageDma[pool.liveHandle(this, "dma")];
        }
    }

    @Override
    public MemorySegment image() {
        synchronized (pool) {
            return pool.region.asSlice(pool.imageOffset(pool.liveHandle(this, "image")), pool.setup.imageBytes());
        }
    }

    @Override
    public long size() {
        synchronized (pool) {
            return pool.chainSize[pool.liveHandle(this, "size")];
        }
    }

    @Override
    public int sglCount() {
        synchronized (pool) {
            return pool.chainSgls[pool.liveHandle(this, "sglCount")];
        }
    }

    @Override
    public int entryCount() {
        synchronized (pool) {
            return pool.chainEntries[pool.liveHandle(this, "entryCount")];
        }
    }

    @Override
    public MemorySegment buffer(int k) {
        synchronized (pool) {
            int entry = k;
            int first = pool.liveHandle(this, "buffer");
            if (k < 0) {
                // a negative index would otherwise reach the buffer slot before this chain's: another chain's
                throw new IndexOutOfBoundsException(
                        "k=" + k + " must be in [0, entryCount=" + pool.chainEntries[head] + ")");
            }
            for (int s = first; s >= 0; s = pool.next[s]) {
                if (entry < pool.entries[s]) {
                    long address = pool.bufferAddress[s * pool.setup.buffersPerSgl() + entry];
                    return pool.region.asSlice(address - pool.region.address(), length(s, entry));
                }
                entry -= pool.entries[s];
            }
            throw new IndexOutOfBoundsException(
                    "k=" + k + " must be in [0, entryCount=" + pool.chainEntries[head] + ")");
        }
    }

    @Override
    public MemorySegment firstBuffer() {
        return buffer(0);
    }

    @Override
    public MemorySegment lastBuffer() {
        synchronized (pool) {
            return buffer(pool.chainEntries[pool.liveHandle(this, "lastBuffer")] - 1);
        }
    }

    @Override
    public long copyFrom(long offset, MemorySegment source) {
        Objects.requireNonNull(source, "source is null");
        return copy(offset, source, true);
    }

    @Override
    public long copyTo(long offset, MemorySegment target) {
        Objects.requireNonNull(target, "target is null");
        return copy(offset, target, false);
    }

    /** Walks the chain's entries from data offset {@code offset}; returns the bytes that did not fit. */
    private long copy(long offset, MemorySegment flat, boolean intoChain) {
        synchronized (pool) {
            long size = pool.chainSize[pool.liveHandle(this, intoChain ? "copyFrom" : "copyTo")];
            if (offset < 0 || offset >= size) {
                throw new IllegalArgumentException("offset=" + offset + " must be in [0, size=" + size + ")");
            }
            long remaining = flat.byteSize();
            long flatAt = 0;
            long position = 0;
            for (int s = head; s >= 0 && remaining > 0; s = pool.next[s]) {
                for (int j = 0; j < pool.entries[s] && remaining > 0; j++) {
                    long length = length(s, j);
                    if (offset < position + length) {
                        long skip = Math.max(0, offset - position);
                        long n = Math.min(length - skip, remaining);
                        long at = pool.bufferAddress[s * pool.setup.buffersPerSgl() + j] - pool.region.address() + skip;
                        if (intoChain) {
                            MemorySegment.copy(flat, flatAt, pool.region, at, n);
                        } else {
                            MemorySegment.copy(pool.region, at, flat, flatAt, n);
                        }
                        flatAt += n;
                        remaining -= n;
                    }
                    position += length;
                }
            }
            return remaining;
        }
    }

    private long length(int sgl, int entry) {
        return entry == pool.entries[sgl] - 1 ? pool.lastLength[sgl] : pool.setup.bufferSize();
    }

    @Override
    public String toString() {
        return "Sgl[index=" + head + " generation=" + generation + " pool=" + hex(System.identityHashCode(pool)) + "]";
    }
}
