package dev.wdmm.memory.sgl;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdPoolStats;
import dev.wdmm.memory.pool.BlockPool;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The SGL pool: per-SGL arrays (image and buffer addresses, chain links, roles, generations)
 * guarded by the pool's monitor, and {@link PooledSgl} handles that carry the generation of the
 * allocation they came from so stale handles are refused.
 */
final class PooledSglPool implements SglPool {
    static final byte FREE = 0;
    static final byte HEAD = 1;
    static final byte MEMBER = 2;

    final SglPoolSetup setup;
    final BlockPool blocks;
    final MemorySegment region;
    private final boolean ownsBlocks;
    final long[] imageAddress;
    final long[] imageDma;
    final long[] bufferAddress;
    final long[] bufferDma;
    /** Guarded by this. */
    final int[] next;

    final byte[] role;
    final int[] generation;
    final int[] entries;
    final long[] lastLength;
    final int[] chainSgls;
    final int[] chainEntries;
    final long[] chainSize;
    private final int[] freeStack;
    private int freeCount;
    private long failures;
    private boolean destroyed;

    private PooledSglPool(BlockPool blocks, SglPoolSetup setup, boolean ownsBlocks, long[] taken) {
        this.setup = setup;
        this.blocks = blocks;
        this.region = blocks.region();
        this.ownsBlocks = ownsBlocks;
        int n = setup.sglCount();
        int per = setup.buffersPerSgl();
        imageAddress = new long[n];
        imageDma = new long[n];
        bufferAddress = new long[n * per];
        bufferDma = new long[n * per];
        for (int i = 0; i < n; i++) {
            imageAddress[i] = taken[i * (per + 1)];
            imageDma[i] = blocks.iovaMap(imageAddress[i], setup.imageBytes());
            for (int j = 0; j < per; j++) {
                bufferAddress[i * per + j] = taken[i * (per + 1) + 1 + j];
                bufferDma[i * per + j] = blocks.iovaMap(bufferAddress[i * per + j], setup.bufferSize());
            }
            HwSgl.writeHeader(region, imageOffset(i), 0, 0, 0, setup.entriesPerSgl());
            HwSgl.clearEntries(region, imageOffset(i), 0, setup.entriesPerSgl());
        }
        next = new int[n];
        role = new byte[n];
        generation = new int[n];
        entries = new int[n];
        lastLength = new long[n];
        chainSgls = new int[n];
        chainEntries = new int[n];
        chainSize = new long[n];
        freeStack = new int[n];
        for (int i = 0; i < n; i++) {
            freeStack[i] = n - 1 - i;
            next[i] = -1;
        }
        freeCount = n;
    }

    static PooledSglPool create(BlockPool blocks, SglPoolSetup setup, boolean ownsBlocks) {
        Objects.requireNonNull(blocks, "blocks is null");
        Objects.requireNonNull(setup, "setup is null");
        long[] taken = null;
        try {
            taken = takeBlocks(blocks, setup);
            return new PooledSglPool(blocks, setup, ownsBlocks, taken);
        } catch (RuntimeException e) {
            if (taken != null) {
                for (long address : taken) {
                    blocks.freeAddress(address); // a refused creation keeps no block
                }
            }
            if (ownsBlocks) {
                blocks.destroy();
            }
            throw e;
        }
    }

    private static long[] takeBlocks(BlockPool blocks, SglPoolSetup setup) {
        long need = Math.max(setup.bufferSize(), setup.imageBytes());
        if (blocks.blockSize() < need) {
            throw new IllegalArgumentException("blockSize=" + blocks.blockSize() + " must be >= max(bufferSize="
                    + setup.bufferSize() + ", imageBytes=" + setup.imageBytes() + ")=" + need);
        }
        if (blocks.setup().alignment() < setup.alignment()) {
            throw new IllegalArgumentException("block pool alignment="
                    + blocks.setup().alignment() + " must be >= alignment=" + setup.alignment());
        }
        int count = setup.blocksNeeded();
        if (blocks.freeBlocks() < count) {
            throw new WdAllocationException(
                    count * blocks.blockSize(),
                    "sgl pool needs blocks=" + count
                            + " (sglCount=" + setup.sglCount() + " * (buffersPerSgl=" + setup.buffersPerSgl()
                            + " + 1 image)) but the block pool has freeBlocks=" + blocks.freeBlocks());
        }
        long[] taken = new long[count];
        for (int i = 0; i < count; i++) {
            taken[i] = blocks.allocAddress();
            if (taken[i] == BlockPool.NO_BLOCK) {
                for (int k = 0; k < i; k++) {
                    blocks.freeAddress(taken[k]);
                }
                throw new WdAllocationException(
                        count * blocks.blockSize(),
                        "sgl pool needs blocks=" + count + " but the block pool ran out after " + i
                                + " (another user took them)");
            }
        }
        return taken;
    }

    long imageOffset(int sgl) {
        return imageAddress[sgl] - region.address();
    }

    @Override
    public synchronized Sgl alloc(long size) {
        requireOpen("alloc");
        long perSgl = setup.sglBytes();
        long max = perSgl * HwSgl.MAX_SGLS_PER_CHAIN;
        if (size <= 0 || size > max) {
            throw new IllegalArgumentException("size=" + size + " must be > 0 and <= " + max + " ("
                    + HwSgl.MAX_SGLS_PER_CHAIN + " SGLs per chain * sglBytes=" + perSgl + ")");
        }
        int count = (int) ((size + perSgl - 1) / perSgl);
        if (count > setup.sglCount()) {
            throw new IllegalArgumentException("size=" + size + " needs sgls=" + count
                    + " but the pool has only sglCount=" + setup.sglCount() + " (sglBytes=" + perSgl + ")");
        }
        if (count > freeCount) {
            failures++;
            throw new WdAllocationException(
                    size,
                    "sgl pool: size=" + size + " needs sgls=" + count + " but freeSgls=" + freeCount + " of sglCount="
                            + setup.sglCount() + " allocFailures=" + failures);
        }
        int[] chain = new int[count];
        for (int k = 0; k < count; k++) {
            chain[k] = freeStack[--freeCount];
        }
        for (int k = count - 1; k >= 0; k--) {
            long here = k == count - 1 ? size - perSgl * (count - 1) : perSgl;
            fill(chain[k], here);
            next[chain[k]] = k + 1 < count ? chain[k + 1] : -1;
            role[chain[k]] = k == 0 ? HEAD : MEMBER;
        }
        int head = chain[0];
        chainSgls[head] = count;
        chainSize[head] = size;
        relink(head);
        return new PooledSgl(this, head, ++generation[head]);
    }

    /** Sets the entries of one SGL to describe {@code bytes} bytes of its buffers. */
    private void fill(int sgl, long bytes) {
        long bufferSize = setup.bufferSize();
        int used = (int) ((bytes + bufferSize - 1) / bufferSize);
        entries[sgl] = used;
        lastLength[sgl] = bytes - bufferSize * (used - 1);
        long offset = imageOffset(sgl);
        HwSgl.writeHeader(region, offset, 0, used, used, setup.entriesPerSgl());
        for (int j = 0; j < used; j++) {
            int b = sgl * setup.buffersPerSgl() + j;
            HwSgl.writeEntry(region, offset, j, bufferDma[b], j == used - 1 ? lastLength[sgl] : bufferSize);
        }
        HwSgl.clearEntries(region, offset, used, setup.entriesPerSgl());
    }

    /** Rewrites next-DMA and chain-entry fields of every SGL of the chain from {@code head}. */
    private void relink(int head) {
        int total = 0;
        for (int s = head; s >= 0; s = next[s]) {
            total += entries[s];
        }
        chainEntries[head] = total;
        for (int s = head; s >= 0; s = next[s]) {
            HwSgl.linkHeader(region, imageOffset(s), next[s] < 0 ? 0 : imageDma[next[s]], total);
            total -= entries[s];
        }
    }

    @Override
    public synchronized void free(Sgl chain) {
        int head = live(chain, "free");
        int s = head;
        while (s >= 0) {
            int after = next[s];
            next[s] = -1;
            role[s] = FREE;
            entries[s] = 0;
            freeStack[freeCount++] = s;
            s = after;
        }
        generation[head]++;
        chainSgls[head] = 0;
        chainSize[head] = 0;
    }

    @Override
    public synchronized void merge(Sgl destination, Sgl source) {
        Objects.requireNonNull(destination, "destination is null");
        Objects.requireNonNull(source, "source is null");
        if (destination == source
                || (destination instanceof PooledSgl d
                        && source instanceof PooledSgl s
                        && d.pool == s.pool
                        && d.head == s.head
                        && d.generation == s.generation)) {
            throw new IllegalArgumentException(
                    "merge destination and source are the same SGL " + destination + " (UADK refuses this)");
        }
        int dst = live(destination, "merge destination");
        int src = live(source, "merge source");
        if (next[dst] >= 0 || next[src] >= 0) {
            throw new IllegalArgumentException("merge refused: destination sgls=" + chainSgls[dst] + " source sgls="
                    + chainSgls[src] + "; both must be single SGLs that are not chained (UADK's rule)");
        }
        next[dst] = src;
        role[src] = MEMBER;
        generation[src]++;
        chainSgls[dst] = 2;
        chainSize[dst] += chainSize[src];
        chainSgls[src] = 0;
        chainSize[src] = 0;
        relink(dst);
    }

    /** Checks a handle and returns its head SGL index. Caller holds the monitor. */
    int live(Sgl chain, String operation) {
        Objects.requireNonNull(chain, "chain is null");
        if (!(chain instanceof PooledSgl handle) || handle.pool != this) {
            throw new IllegalArgumentException(operation + " of sgl=" + chain + " refused: it is not from this pool");
        }
        requireOpen(operation);
        if (stale(handle)) {
            throw new IllegalArgumentException(staleMessage(handle, operation));
        }
        return handle.head;
    }

    /**
     * The head of a chain whose own method is called: a freed or merged handle is a state error
     * ({@link IllegalStateException}, as {@link Sgl} promises), unlike a stale argument to the pool.
     */
    int liveHandle(PooledSgl handle, String operation) {
        requireOpen(operation);
        if (stale(handle)) {
            throw new IllegalStateException(staleMessage(handle, operation));
        }
        return handle.head;
    }

    private boolean stale(PooledSgl handle) {
        return generation[handle.head] != handle.generation || role[handle.head] != HEAD;
    }

    private String staleMessage(PooledSgl handle, String operation) {
        String why = role[handle.head] == MEMBER && generation[handle.head] == handle.generation + 1
                ? " was merged into another chain; use that chain's head"
                : " was already freed";
        return operation + " refused: sgl index=" + handle.head + why;
    }

    private void requireOpen(String operation) {
        if (destroyed) {
            throw new WdClosedException(operation + " on a destroyed sgl pool");
        }
    }

    @Override
    public int sglCount() {
        return setup.sglCount();
    }

    @Override
    public synchronized int freeSgls() {
        return freeCount;
    }

    @Override
    public synchronized long allocFailures() {
        return failures;
    }

    /** As the interface's, with the block pool's real block size in the region bytes. */
    @Override
    public synchronized WdPoolStats stats() {
        return new WdPoolStats(
                setup.sglBytes(),
                setup.sglCount(),
                freeCount,
                failures,
                (long) setup.blocksNeeded() * blocks.blockSize());
    }

    @Override
    public SglPoolSetup setup() {
        return setup;
    }

    @Override
    public synchronized void destroy() {
        if (destroyed) {
            return;
        }
        if (freeCount != setup.sglCount()) {
            throw new IllegalStateException("destroy refused: " + (setup.sglCount() - freeCount) + " of sglCount="
                    + setup.sglCount() + " SGLs are still allocated; free their chains first");
        }
        destroyed = true;
        for (int i = 0; i < setup.sglCount(); i++) {
            blocks.freeAddress(imageAddress[i]);
            for (int j = 0; j < setup.buffersPerSgl(); j++) {
                blocks.freeAddress(bufferAddress[i * setup.buffersPerSgl() + j]);
            }
        }
        if (ownsBlocks) {
            blocks.destroy();
        }
    }
}
