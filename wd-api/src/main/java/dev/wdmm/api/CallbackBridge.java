package dev.wdmm.api;

import static dev.wdmm.spi.WdArguments.hex;
import static java.util.Objects.requireNonNull;

import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The bridge behind {@link WdMmBridge#of}: argument checks and an ownership table in front of the
 * user's callbacks, so that foreign, interior and double frees, maps outside live allocations,
 * unmaps that match no map, and every call after close are refused before a callback runs.
 *
 * <p>One monitor guards the table; callbacks run outside it (a callback may take its own locks or
 * call back into the bridge without deadlock). Ranges are checked when a call starts: a caller that
 * frees memory on one thread while mapping it on another gets what the callbacks give.
 */
final class CallbackBridge<U> implements WdMmBridge {
    /** How many freed start addresses are remembered to say ALREADY_FREED rather than FOREIGN. */
    static final int FREED_MEMORY = 4096;

    private static final System.Logger LOG = System.getLogger("dev.wdmm.api.WdMmBridge");

    private final U usr;
    private final Alloc<U> alloc;
    private final Free<U> free;
    private final IovaMap<U> map;
    private final IovaUnmap<U> unmap;
    private final OptionalLong bufferSize;

    /** Live allocations by start address (unsigned order). Guarded by this. */
    private final TreeMap<Long, Allocation> live = new TreeMap<>(Long::compareUnsigned);
    /** Recently freed start addresses, oldest first. Guarded by this. */
    private final LinkedHashMap<Long, Long> freed = new LinkedHashMap<>();
    /** Guarded by this. */
    private boolean closed;

    /** One allocation: what the alloc callback returned, and the maps not yet undone. */
    private static final class Allocation {
        final MemorySegment original;
        final long address;
        final long size;
        /** Mapped (va, size, iova) with how many maps are not yet unmapped. */
        final Map<Mapping, Integer> mappings = new HashMap<>();

        Allocation(MemorySegment original, long size) {
            this.original = original;
            this.address = original.address();
            this.size = size;
        }

        boolean contains(long va, long length) {
            long offset = va - address;
            return Long.compareUnsigned(offset, size) < 0 && Long.compareUnsigned(length, size - offset) <= 0;
        }
    }

    private record Mapping(long va, long size, long iova) {
        @Override
        public String toString() {
            return "va=" + hex(va) + " size=" + size + " iova=" + hex(iova);
        }
    }

    CallbackBridge(U usr, Alloc<U> alloc, Free<U> free, IovaMap<U> map, IovaUnmap<U> unmap, OptionalLong bufferSize) {
        this.usr = usr;
        this.alloc = requireNonNull(alloc, "alloc is null");
        this.free = requireNonNull(free, "free is null");
        this.map = requireNonNull(map, "map is null");
        this.unmap = requireNonNull(unmap, "unmap is null");
        this.bufferSize = bufferSize;
    }

    @Override
    public MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        synchronized (this) {
            requireOpen("alloc");
        }
        MemorySegment segment = alloc.alloc(usr, size);
        if (segment == null) {
            throw new WdAllocationException(size, "size=" + size + " refused: the alloc callback returned null");
        }
        if (!segment.isNative() || segment.byteSize() < size) {
            throw new IllegalStateException("alloc callback returned " + segment + " for size=" + size
                    + "; it must return a native segment of at least size bytes");
        }
        register(segment, size);
        return segment.byteSize() == size ? segment : segment.asSlice(0, size);
    }

    private void register(MemorySegment segment, long size) {
        long address = segment.address();
        synchronized (this) {
            if (!closed) {
                if (Long.compareUnsigned(address + size, address) < 0) {
                    throw new IllegalStateException("alloc callback returned va=" + hex(address) + " size=" + size
                            + ", which wraps the address space");
                }
                Map.Entry<Long, Allocation> below = live.floorEntry(address + size - 1);
                if (below != null
                        && (below.getValue().contains(address, 1)
                                || Long.compareUnsigned(below.getKey(), address) >= 0)) {
                    Allocation other = below.getValue();
                    throw new IllegalStateException("alloc callback returned va=" + hex(address) + " size=" + size
                            + ", which overlaps live allocation va=" + hex(other.address) + " size=" + other.size
                            + ": the callback handed out memory it had already handed out");
                }
                live.put(address, new Allocation(segment, size));
                freed.remove(address);
                return;
            }
        }
        // closed while the callback ran: give the memory back rather than leak it
        free.free(usr, segment);
        throw new WdClosedException("alloc on a closed " + this + " (closed while the alloc callback ran)");
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        long address = segment.address();
        Allocation allocation;
        synchronized (this) {
            requireOpen("free");
            allocation = live.get(address);
            if (allocation == null) {
                throw refusal("free", address, 1);
            }
            live.remove(address);
            remember(address, allocation.size);
        }
        try {
            free.free(usr, allocation.original);
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                if (!closed) {
                    live.put(address, allocation);
                    freed.remove(address);
                }
            }
            throw e;
        }
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        Allocation allocation;
        synchronized (this) {
            requireOpen("iovaMap");
            allocation = find(segment.address(), size, "iovaMap");
        }
        long iova = map.map(usr, segment, size);
        synchronized (this) {
            if (live.get(allocation.address) == allocation) {
                allocation.mappings.merge(new Mapping(segment.address(), size, iova), 1, Integer::sum);
            }
        }
        return iova;
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        synchronized (this) {
            requireOpen("iovaUnmap");
            Allocation allocation = find(segment.address(), size, "iovaUnmap");
            Mapping mapping = new Mapping(segment.address(), size, iova);
            Integer count = allocation.mappings.get(mapping);
            if (count == null) {
                List<Mapping> mapped = allocation.mappings.keySet().stream()
                        .filter(m -> m.va() == mapping.va() && m.size() == mapping.size())
                        .toList();
                throw new IllegalArgumentException("iovaUnmap " + mapping + " matches no map of this bridge: "
                        + (mapped.isEmpty() ? "that range is not mapped" : "that range is mapped as " + mapped));
            }
            if (count == 1) {
                allocation.mappings.remove(mapping);
            } else {
                allocation.mappings.put(mapping, count - 1);
            }
        }
        unmap.unmap(usr, segment, iova, size);
    }

    @Override
    public OptionalLong bufferSize() {
        return bufferSize;
    }

    /**
     * Refuses every later call, then hands every allocation still outstanding to the free
     * callback (in address order) and reports them at {@code WARNING}. Never throws: a free
     * callback that throws is reported and the others still run. Does not call the unmap callback.
     */
    @Override
    public void close() {
        List<Allocation> outstanding;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            outstanding = new ArrayList<>(live.values());
            live.clear();
            freed.clear();
        }
        if (outstanding.isEmpty()) {
            return;
        }
        long bytes = 0;
        for (Allocation allocation : outstanding) {
            bytes += allocation.size;
            try {
                free.free(usr, allocation.original);
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "{0}: close: the free callback threw for va={1} size={2}: {3}",
                        this,
                        hex(allocation.address),
                        allocation.size,
                        e);
            }
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "{0} closed with {1} allocations ({2} bytes) still outstanding: each was passed to the free callback",
                this,
                outstanding.size(),
                bytes);
    }

    /** The live allocation holding the whole range; guarded by this. */
    private Allocation find(long address, long size, String operation) {
        Map.Entry<Long, Allocation> entry = live.floorEntry(address);
        if (entry != null && entry.getValue().contains(address, size)) {
            return entry.getValue();
        }
        if (entry != null && entry.getValue().contains(address, 1)) {
            Allocation allocation = entry.getValue();
            throw new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.INTERIOR,
                    operation + " va=" + hex(address) + " size=" + size + " runs past the end of allocation va="
                            + hex(allocation.address) + " size=" + allocation.size + " of " + this);
        }
        throw refusal(operation, address, size);
    }

    /** Why an address is not the start of a live allocation; guarded by this. */
    private WdOwnershipException refusal(String operation, long address, long size) {
        Map.Entry<Long, Allocation> entry = live.floorEntry(address);
        if (entry != null && entry.getValue().contains(address, 1)) {
            Allocation allocation = entry.getValue();
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.INTERIOR,
                    operation + " va=" + hex(address) + " is interior to allocation va=" + hex(allocation.address)
                            + " size=" + allocation.size + " of " + this + "; pass its start");
        }
        if (freed.containsKey(address)) {
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.ALREADY_FREED,
                    operation + " va=" + hex(address) + " size=" + size + ": allocation of size=" + freed.get(address)
                            + " was already freed by " + this);
        }
        return new WdOwnershipException(
                address,
                WdOwnershipException.Reason.FOREIGN,
                operation + " va=" + hex(address) + " size=" + size + " is not memory allocated by " + this);
    }

    /** Guarded by this. */
    private void remember(long address, long size) {
        freed.put(address, size);
        if (freed.size() > FREED_MEMORY) {
            freed.pollFirstEntry();
        }
    }

    /** Guarded by this. */
    private void requireOpen(String operation) {
        if (closed) {
            throw new WdClosedException(operation + " on a closed " + this);
        }
    }

    @Override
    public String toString() {
        return "WdMmBridge.of(usr=" + usr + ")";
    }
}
