package dev.wdmm.memory.table;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The live allocations of one bridge, by start address, so that foreign, interior and double
 * frees and maps of memory the bridge does not own are refused with the right reason.
 *
 * <p><b>Thread-safety:</b> all methods may be called concurrently; {@link #remove} of one
 * address by two threads succeeds for exactly one. Lookups are O(log n).
 *
 * <p>Recently freed start addresses are remembered (up to {@value #FREED_MEMORY} of them) so that
 * a second free says {@code ALREADY_FREED} rather than {@code FOREIGN}; beyond that bound the
 * memory is forgotten and a double free is reported as foreign. Either way it is refused.
 *
 * @param <A> what the owner attaches to each allocation (e.g. its mapping, or its pool block)
 */
public final class AllocationRegistry<A> {
    /** How many freed start addresses are remembered for {@code ALREADY_FREED} messages. */
    public static final int FREED_MEMORY = 65_536;

    /**
     * A live allocation.
     *
     * @param <A> the attachment type
     * @param address start address
     * @param size bytes
     * @param attachment what the owner attached
     */
    public record Entry<A>(long address, long size, A attachment) {
        /**
         * Whether {@code [va, va + length)} lies wholly inside this allocation.
         *
         * @param va start
         * @param length bytes, {@code > 0}
         * @return true if inside
         */
        public boolean contains(long va, long length) {
            long offset = va - address;
            return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
        }
    }

    private final String owner;
    private final ConcurrentSkipListMap<Long, Entry<A>> live = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    private final Map<Long, Long> recentlyFreed = new ConcurrentHashMap<>();

    /**
     * Creates an empty registry.
     *
     * @param owner names the owner in messages, e.g. {@code "sva bridge"}
     */
    public AllocationRegistry(String owner) {
        this.owner = owner;
    }

    /**
     * Records a new allocation.
     *
     * @param address start address
     * @param size bytes, {@code > 0}
     * @param attachment what to keep with it
     * @throws IllegalStateException if it overlaps a live allocation (a bug in the owner)
     */
    public void register(long address, long size, A attachment) {
        Entry<A> entry = new Entry<>(address, size, attachment);
        Entry<A> below = floor(address + size - 1);
        if (below != null && Long.compareUnsigned(below.address() + below.size(), address) > 0) {
            throw new IllegalStateException(owner + ": va=" + hex(address) + " size=" + size
                    + " overlaps live allocation va=" + hex(below.address()) + " size=" + below.size());
        }
        if (live.putIfAbsent(address, entry) != null) {
            throw new IllegalStateException(owner + ": va=" + hex(address) + " is already registered");
        }
        recentlyFreed.remove(address);
    }

    /**
     * Removes the allocation that starts at {@code address}.
     *
     * @param address the start address the caller passed to free
     * @return the removed entry
     * @throws WdOwnershipException {@code INTERIOR}, {@code ALREADY_FREED} or {@code FOREIGN};
     *     the registry is unchanged
     */
    public Entry<A> remove(long address) {
        Entry<A> removed = live.remove(address);
        if (removed != null) {
            if (recentlyFreed.size() >= FREED_MEMORY) {
                recentlyFreed.clear();
            }
            recentlyFreed.put(address, removed.size());
            return removed;
        }
        throw refusal("free", address, 1);
    }

    /**
     * Finds the live allocation containing the whole range.
     *
     * @param address start of the range
     * @param size bytes, {@code > 0}
     * @return the containing entry
     * @throws WdOwnershipException if no live allocation contains the whole range
     */
    public Entry<A> find(long address, long size) {
        Entry<A> entry = floor(address);
        if (entry != null && entry.contains(address, size)) {
            return entry;
        }
        if (entry != null && entry.contains(address, 1)) {
            throw new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.FOREIGN,
                    "va=" + hex(address) + " size=" + size + " runs past the end of allocation va="
                            + hex(entry.address()) + " size=" + entry.size() + " of this " + owner);
        }
        throw refusal("map", address, size);
    }

    /**
     * Finds the live allocation starting exactly at {@code address}.
     *
     * @param address a start address
     * @return the entry, or null
     */
    public Entry<A> get(long address) {
        return live.get(address);
    }

    /**
     * Number of live allocations.
     *
     * @return the count
     */
    public int size() {
        return live.size();
    }

    /**
     * Sum of the sizes of live allocations.
     *
     * @return bytes
     */
    public long liveBytes() {
        long sum = 0;
        for (Entry<A> entry : live.values()) {
            sum += entry.size();
        }
        return sum;
    }

    /**
     * Removes and returns every live allocation, for the owner's close.
     *
     * @return the entries that were live
     */
    public List<Entry<A>> drain() {
        List<Entry<A>> drained = new ArrayList<>();
        Map.Entry<Long, Entry<A>> first;
        while ((first = live.pollFirstEntry()) != null) {
            drained.add(first.getValue());
        }
        recentlyFreed.clear();
        return drained;
    }

    private Entry<A> floor(long address) {
        Map.Entry<Long, Entry<A>> floor = live.floorEntry(address);
        return floor == null ? null : floor.getValue();
    }

    private WdOwnershipException refusal(String operation, long address, long size) {
        Entry<A> containing = floor(address);
        if (containing != null && containing.contains(address, 1)) {
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.INTERIOR,
                    operation + " va=" + hex(address) + " is interior to allocation va=" + hex(containing.address())
                            + " size=" + containing.size() + " of this " + owner + "; pass the start address");
        }
        if (recentlyFreed.containsKey(address)) {
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.ALREADY_FREED,
                    operation + " va=" + hex(address) + " was already freed by this " + owner);
        }
        return new WdOwnershipException(
                address,
                WdOwnershipException.Reason.FOREIGN,
                operation + " va=" + hex(address) + " size=" + size + " is not memory of this " + owner);
    }
}
