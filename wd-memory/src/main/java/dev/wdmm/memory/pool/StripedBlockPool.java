package dev.wdmm.memory.pool;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The block pool: a {@link BlockLayout}, a per-block state word (free / allocated) changed with
 * atomic operations so a double free is refused exactly once, a lock-free global
 * {@link FreeStack} and per-thread {@link Stripe} caches in front of it.
 */
final class StripedBlockPool implements BlockPool {
    private static final int FREE = 0;
    private static final int ALLOCATED = 1;
    private static final VarHandle STATE = MethodHandles.arrayElementVarHandle(int[].class);

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
    }

    static StripedBlockPool fromRegion(WdReservedMemory region, BlockPoolSetup setup) {
        return new StripedBlockPool(setup, BlockLayout.fromRegion(region, setup), null);
    }

    static StripedBlockPool fromBridge(WdMmBridge bridge, BlockPoolSetup setup) {
        return new StripedBlockPool(setup, BlockLayout.fromBridge(bridge, setup), bridge);
    }

    @Override
    public MemorySegment alloc() {
        long address = allocAddress();
        if (address == NO_BLOCK) {
            throw new WdAllocationException(
                    setup.blockSize(),
                    "block pool exhausted: blockSize="
                            + setup.blockSize() + " blockCount=" + layout.blocks() + " freeBlocks=0 allocFailures="
                            + failures.get() + "; free blocks or create a larger pool");
        }
        return layout.region.asSlice(address - layout.region.address(), setup.blockSize());
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
        // one atomic exchange decides: of two racing frees exactly one reads ALLOCATED; a loser
        // wrote FREE over FREE, which changes nothing (the word only ever holds FREE or ALLOCATED)
        if (block < 0 || (int) STATE.getAndSet(state, block, FREE) != ALLOCATED) {
            throw refusal("free", address, block);
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
        long offset = address - layout.address(block);
        if (size > setup.blockSize() - offset) {
            throw new IllegalArgumentException(
                    "va=" + hex(address) + " size=" + size + " runs past the end of block va="
                            + hex(layout.address(block)) + " blockSize=" + setup.blockSize());
        }
        return layout.blockIova[block] + offset;
    }

    @Override
    public void iovaUnmap(long address, long iova, long size) {
        WdArguments.requireMatchingIova(address, size, iova, iovaMap(address, size));
    }

    /** The block holding {@code address} if it is allocated now; otherwise a refusal. */
    private int allocatedBlock(String operation, long address) {
        requireOpen(operation);
        int block = layout.blockOf(address);
        if (block < 0 || (int) STATE.getAcquire(state, block) != ALLOCATED) {
            throw refusal(operation, address, block);
        }
        return block;
    }

    private WdOwnershipException refusal(String operation, long address, int block) {
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
    public int freeBlocks() {
        long outstanding = 0;
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
    public void destroy() {
        for (Stripe stripe : stripes) {
            stripe.lock();
        }
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
            for (Stripe stripe : stripes) {
                stripe.unlock();
            }
        }
        if (bridge != null) {
            bridge.free(layout.region);
        }
    }

    @Override
    public String toString() {
        return "BlockPool[blockSize=" + setup.blockSize() + " blockCount=" + layout.blocks() + " freeBlocks="
                + freeBlocks() + " allocFailures=" + failures.get() + " region=" + hex(layout.region.address()) + "]";
    }
}
