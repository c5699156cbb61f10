package dev.wdmm.memory.pool;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.memory.events.WdEvents;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The block pool: a {@link BlockLayout}, a per-block state word (free / allocated / head or body
 * of a run) changed with atomic operations so a double free is refused exactly once, a lock-free
 * global {@link FreeStack} and per-thread {@link Stripe} caches in front of it, and {@link Runs}
 * for allocations of several adjacent blocks.
 */
final class StripedBlockPool implements BlockPool {
    static final int FREE = 0;
    static final int ALLOCATED = 1;
    static final int RUN_HEAD = 2;
    static final int RUN_BODY = 3;
    static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);

    private final BlockPoolSetup setup;
    private final BlockLayout layout;
    private final WdMmBridge bridge;
    private final int[] state;
    private final FreeStack global;
    private final Stripe[] stripes;
    private final int stripeMask;
    private final AtomicLong failures = new AtomicLong();
    /** Bumped whenever blocks move from a stripe to the global stack, so a failing alloc can rescan. */
    private final AtomicLong spills = new AtomicLong();
    /** Its monitor serialises run allocations and run frees. */
    private final Runs runs;

    private volatile boolean destroyed;

    private StripedBlockPool(BlockPoolSetup setup, BlockLayout layout, WdMmBridge bridge) {
        this.setup = setup;
        this.layout = layout;
        this.bridge = bridge;
        int blocks = layout.blocks();
        this.state = new int[blocks];
        this.global = new FreeStack(blocks);
        int[] all = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            all[i] = i;
        }
        global.push(all, 0, blocks);
        int n = Integer.highestOneBit(Math.clamp(Runtime.getRuntime().availableProcessors() * 2L, 2, 64));
        this.stripes = new Stripe[n];
        for (int i = 0; i < n; i++) {
            stripes[i] = new Stripe();
        }
        this.stripeMask = n - 1;
        this.runs = new Runs(layout, state, global, stripes);
    }

    static StripedBlockPool fromRegion(WdReservedMemory region, BlockPoolSetup setup) {
        return new StripedBlockPool(setup, BlockLayout.fromRegion(region, setup), null);
    }

    static StripedBlockPool fromBridge(WdMmBridge bridge, BlockPoolSetup setup) {
        return new StripedBlockPool(setup, BlockLayout.fromBridge(bridge, setup), bridge);
    }

    @Override
    public MemorySegment alloc() {
        return alloc(setup.blockSize());
    }

    @Override
    public MemorySegment alloc(long size) {
        long address;
        if (size > 0 && size <= setup.blockSize()) {
            address = allocAddress();
            if (address == NO_BLOCK) {
                throw new WdAllocationException(
                        size,
                        "block pool exhausted: blockSize="
                                + setup.blockSize() + " blockCount=" + layout.blocks() + " freeBlocks=0 allocFailures="
                                + failures.get() + "; free blocks or create a larger pool");
            }
        } else {
            address = allocRun(runs.blocksFor(size), size, true);
        }
        return layout.region.asSlice(address - layout.region.address(), size);
    }

    @Override
    public long allocAddress(long size) {
        if (size > 0 && size <= setup.blockSize()) {
            return allocAddress();
        }
        return allocRun(runs.blocksFor(size), size, false);
    }

    /**
     * Takes a run of {@code k} adjacent free blocks: under the run monitor and every stripe lock,
     * O(blocks) (see {@link Runs}).
     */
    private long allocRun(int k, long size, boolean explain) {
        int head;
        String refusal = null;
        synchronized (runs) {
            lockAll();
            try {
                requireOpen("alloc");
                head = runs.claim(k);
                if (head < 0 && explain) {
                    refusal = runs.refusal(k, size, failures.incrementAndGet());
                }
            } finally {
                unlockAll();
            }
        }
        if (head >= 0) {
            return layout.address(head);
        }
        WdEvents.poolExhausted("block pool", setup.blockSize(), layout.blocks(), k);
        if (refusal == null) {
            failures.incrementAndGet();
            return NO_BLOCK;
        }
        throw new WdAllocationException(size, refusal);
    }

    @Override
    public long allocAddress() {
        Stripe own = stripes[(int) Thread.currentThread().threadId() & stripeMask];
        own.lock();
        if (destroyed) {
            own.unlock();
            throw closed("alloc");
        }
        int count = own.count;
        if (count == 0) {
            count = global.pop(own.cache, 0, Stripe.CAPACITY / 2);
            if (count == 0) {
                own.unlock();
                return allocSlow();
            }
        }
        int block = own.cache[--count];
        own.count = count;
        own.allocs++;
        own.unlock();
        // the block left every cache under the lock, so no other thread can touch its state word now
        STATE.setRelease(state, block, ALLOCATED);
        return layout.address(block);
    }

    /** Nothing in the own stripe nor the global stack: take one block from any other stripe. */
    private long allocSlow() {
        long seen;
        do {
            seen = spills.get();
            Stripe own = stripes[(int) Thread.currentThread().threadId() & stripeMask];
            own.lock();
            try {
                requireOpen("alloc");
                if (own.count == 0) {
                    own.count = global.pop(own.cache, 0, 1);
                }
                if (own.count > 0) {
                    return take(own, own.cache[--own.count]);
                }
            } finally {
                own.unlock();
            }
            for (Stripe other : stripes) {
                other.lock();
                try {
                    requireOpen("alloc");
                    if (other.count > 0) {
                        return take(other, other.cache[--other.count]);
                    }
                } finally {
                    other.unlock();
                }
            }
        } while (seen != spills.get());
        failures.incrementAndGet();
        WdEvents.poolExhausted("block pool", setup.blockSize(), layout.blocks(), 1);
        return NO_BLOCK;
    }

    private long take(Stripe stripe, int block) {
        stripe.allocs++;
        STATE.setRelease(state, block, ALLOCATED);
        return layout.address(block);
    }

    @Override
    public void free(MemorySegment block) {
        Objects.requireNonNull(block, "block is null");
        freeAddress(block.address());
    }

    @Override
    public void freeAddress(long address) {
        requireOpen("free");
        int block = layout.blockOf(address);
        // one compare-and-exchange decides: of two racing frees exactly one sees ALLOCATED, and a
        // run's state words are never overwritten here
        int witness = block < 0 ? FREE : (int) STATE.compareAndExchange(state, block, ALLOCATED, FREE);
        if (witness != ALLOCATED) {
            freeRun(address, block, witness);
            return;
        }
        Stripe own = stripes[(int) Thread.currentThread().threadId() & stripeMask];
        own.lock();
        int count = own.count;
        if (count == Stripe.CAPACITY) {
            spill(own);
            count = Stripe.CAPACITY / 2;
        }
        own.cache[count] = block;
        own.count = count + 1;
        own.frees++;
        own.unlock();
    }

    /** Frees the run starting at {@code address}, or refuses the address. */
    private void freeRun(long address, int block, int witness) {
        if (witness != RUN_HEAD || address != layout.address(block)) {
            throw refusal("free", address, block);
        }
        synchronized (runs) {
            requireOpen("free");
            if (!runs.release(block)) {
                throw refusal("free", address, block);
            }
        }
        // blocks reached the global stack: a failing single-block alloc must look again
        spills.incrementAndGet();
    }

    /** Moves the upper half of a full stripe to the global stack; the caller holds the stripe's lock. */
    private void spill(Stripe own) {
        int half = Stripe.CAPACITY / 2;
        global.push(own.cache, half, half);
        own.count = half;
        spills.incrementAndGet();
    }

    @Override
    public long iovaMap(long address) {
        int block = allocatedBlock("iovaMap", address);
        return layout.blockIova[block] + (address - layout.address(block));
    }

    @Override
    public long iovaMap(long address, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        int block = allocatedBlock("iovaMap", address);
        long start = layout.address(block);
        long offset = address - start;
        long bytes = (int) STATE.getAcquire(state, block) == ALLOCATED
                ? setup.blockSize()
                : layout.runBytes(runs.length(block));
        if (size > bytes - offset) {
            throw new IllegalArgumentException("va=" + hex(address) + " size=" + size
                    + " runs past the end of the allocation va=" + hex(start) + " size=" + bytes);
        }
        return layout.blockIova[block] + offset;
    }

    @Override
    public long allocationStart(long address) {
        requireOpen("allocationStart");
        int head = runs.liveHead(address);
        return head < 0 ? NO_BLOCK : layout.address(head);
    }

    @Override
    public void iovaUnmap(long address, long iova, long size) {
        WdArguments.requireMatchingIova(address, size, iova, iovaMap(address, size));
    }

    /**
     * The first block of the allocation holding {@code address} if it is allocated now (a single
     * block at once, a run through {@link Runs#liveHead}); otherwise a refusal.
     */
    private int allocatedBlock(String operation, long address) {
        requireOpen(operation);
        int block = layout.blockOf(address);
        if (block >= 0 && (int) STATE.getAcquire(state, block) == ALLOCATED) {
            return block;
        }
        int head = runs.liveHead(address);
        if (head < 0) {
            throw refusal(operation, address, block);
        }
        return head;
    }

    private WdOwnershipException refusal(String operation, long address, int block) {
        int head = runs.liveHead(address);
        if (head >= 0 && address != layout.address(head)) {
            return runs.interior(operation, address, head);
        }
        if (head >= 0) {
            // a racing free of the same run won and the block was allocated anew meanwhile
            return new WdOwnershipException(
                    address,
                    Reason.ALREADY_FREED,
                    operation + " va=" + hex(address) + " was freed by another thread first");
        }
        if (block < 0) {
            return new WdOwnershipException(
                    address,
                    Reason.FOREIGN,
                    operation + " va=" + hex(address)
                            + " is not inside a block of this pool (region va=" + hex(layout.region.address())
                            + " size="
                            + layout.region.byteSize() + " blockSize=" + setup.blockSize() + " stride=" + layout.stride
                            + ")");
        }
        return new WdOwnershipException(
                address,
                Reason.ALREADY_FREED,
                operation + " va=" + hex(address) + " is inside block va=" + hex(layout.address(block))
                        + " which is free");
    }

    private void requireOpen(String operation) {
        if (destroyed) {
            throw closed(operation);
        }
    }

    private static WdClosedException closed(String operation) {
        return new WdClosedException(operation + " on a destroyed block pool");
    }

    @Override
    public long blockSize() {
        return setup.blockSize();
    }

    @Override
    public int blockCount() {
        return layout.blocks();
    }

    @Override
    public int maxRunBlocks() {
        return layout.maxRun;
    }

    @Override
    public long maxAllocSize() {
        return layout.runBytes(layout.maxRun);
    }

    @Override
    public int freeBlocks() {
        long outstanding = runs.outstanding();
        for (Stripe stripe : stripes) {
            outstanding += stripe.balance();
        }
        return (int) (layout.blocks() - outstanding);
    }

    @Override
    public long allocFailures() {
        return failures.get();
    }

    @Override
    public BlockPoolSetup setup() {
        return setup;
    }

    @Override
    public MemorySegment region() {
        return layout.region;
    }

    @Override
    public long totalAllocations() {
        long n = runs.claimed();
        for (Stripe stripe : stripes) {
            n += stripe.allocs;
        }
        return n;
    }

    @Override
    public int destroyForcibly() {
        int outstanding;
        lockAll();
        try {
            if (destroyed) {
                return 0;
            }
            outstanding = layout.blocks() - freeBlocks();
            destroyed = true;
        } finally {
            unlockAll();
        }
        if (bridge != null) {
            bridge.free(layout.region);
        }
        return outstanding;
    }

    @Override
    public void destroy() {
        lockAll();
        try {
            if (destroyed) {
                return;
            }
            int free = freeBlocks();
            if (free != layout.blocks()) {
                throw new IllegalStateException("destroy refused: outstanding=" + (layout.blocks() - free)
                        + " blocks of blockCount=" + layout.blocks() + " are still allocated; free them first");
            }
            destroyed = true;
        } finally {
            unlockAll();
        }
        if (bridge != null) {
            bridge.free(layout.region);
        }
    }

    /** Locks every stripe in index order (destroy and run allocation; others hold one at a time). */
    private void lockAll() {
        for (Stripe stripe : stripes) {
            stripe.lock();
        }
    }

    private void unlockAll() {
        for (Stripe stripe : stripes) {
            stripe.unlock();
        }
    }

    @Override
    public String toString() {
        return "BlockPool[blockSize=" + setup.blockSize() + " blockCount=" + layout.blocks() + " freeBlocks="
                + freeBlocks() + " allocFailures=" + failures.get() + " region=" + hex(layout.region.address()) + "]";
    }
}
