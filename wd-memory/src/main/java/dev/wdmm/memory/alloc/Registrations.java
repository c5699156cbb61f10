package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.api.WdRegistrationException.Reason;
import dev.wdmm.memory.table.IovaIndex;
import dev.wdmm.memory.table.PageDirectory;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongBinaryOperator;

/**
 * The memory registered with one allocator's bridge ({@link dev.wdmm.api.WdRegistration}):
 * page-aligned ranges, each held by the source's {@link ExternalHolder}, found by address in O(1)
 * through a {@link PageDirectory} of 4 KiB pages (registrations never share a page) and by IOVA
 * through the allocator's {@link IovaIndex}. Register and unregister are serialized on this object;
 * lookups and maps take no lock.
 */
final class Registrations {
    static final long PAGE = 4096;

    private final String owner;
    private final ExternalHolder holder;
    private final IovaIndex index;
    private final PageDirectory<Registration> byPage = PageDirectory.create(12);
    /** Start address to registration; guarded by this. */
    private final Map<Long, Registration> byStart = new TreeMap<>();

    private final AtomicLong bytes = new AtomicLong();

    Registrations(String owner, ExternalHolder holder, IovaIndex index) {
        this.owner = owner;
        this.holder = holder;
        this.index = index;
    }

    /** One registered range. */
    static final class Registration {
        final ChunkMemory memory;
        final long base;
        final long size;
        /** References; guarded by the registrations' monitor. */
        int references = 1;
        /** Maps not yet unmapped. */
        final AtomicLong maps = new AtomicLong();

        Registration(ChunkMemory memory) {
            this.memory = memory;
            this.base = memory.segment().address();
            this.size = memory.segment().byteSize();
        }

        boolean covers(long address) {
            return Long.compareUnsigned(address - base, size) < 0;
        }

        @Override
        public String toString() {
            return "registration va=" + hex(base) + " size=" + size;
        }
    }

    /**
     * Registers, or counts one more reference to an equal registration.
     *
     * @param overlapsChunk the start of an allocator chunk overlapping {@code [va, va + size)}, or -1
     */
    synchronized void register(MemorySegment segment, LongBinaryOperator overlapsChunk) {
        WdArguments.requireNative("segment", segment);
        long va = segment.address();
        long size = WdArguments.requirePositive("segment.byteSize()", segment.byteSize());
        if ((va & (PAGE - 1)) != 0 || (size & (PAGE - 1)) != 0) {
            throw refused(
                    va,
                    Reason.NOT_ALIGNED,
                    "va=" + hex(va) + " size=" + size + " must start and end on a 4096-byte page boundary (va % 4096="
                            + (va & (PAGE - 1)) + ", size % 4096=" + (size & (PAGE - 1))
                            + "): registrations hold whole pages; allocate it page-aligned, e.g."
                            + " arena.allocate(size, 4096), or mmap it");
        }
        if ((va >>> PageDirectory.VA_BITS) != 0 || size > (1L << PageDirectory.VA_BITS) - va) {
            throw new IllegalArgumentException("va=" + hex(va) + " size=" + size + " must lie below 2^48");
        }
        Registration same = byStart.get(va);
        if (same != null && same.size == size) {
            same.references++;
            return;
        }
        requireNoOverlap(va, size);
        long chunk = overlapsChunk.applyAsLong(va, size);
        if (chunk != -1) {
            throw refused(
                    va,
                    Reason.OVERLAPS_BRIDGE_MEMORY,
                    "va=" + hex(va) + " size=" + size + " overlaps memory this " + owner
                            + " allocated itself (chunk va=" + hex(chunk)
                            + "): only memory the application owns can be registered");
        }
        Registration r = new Registration(holder.hold(segment));
        byStart.put(va, r);
        byPage.set(va, size, r);
        index(r);
        bytes.addAndGet(size);
    }

    private void requireNoOverlap(long va, long size) {
        for (long page = va; Long.compareUnsigned(page, va + size) < 0; page += PAGE) {
            Registration other = byPage.find(page);
            if (other != null) {
                throw refused(
                        va,
                        Reason.OVERLAPS_REGISTRATION,
                        "va=" + hex(va) + " size=" + size + " overlaps " + other
                                + " without being equal to it (same va and size count a reference): unregister it"
                                + " first, or register the same range");
            }
        }
    }

    /** Indexes the registration's IOVA-contiguous pieces. */
    private void index(Registration r) {
        long end = r.base + r.size;
        for (long va = r.base; va < end; ) {
            long length = r.memory.contiguousLength(va, end - va);
            index.add(new IovaIndex.Piece(r.memory.translate(va, length), va, length, r));
            va += length;
        }
    }

    private void unindex(Registration r) {
        long end = r.base + r.size;
        for (long va = r.base; va < end; ) {
            long length = r.memory.contiguousLength(va, end - va);
            index.remove(r, r.memory.translate(va, length), length);
            va += length;
        }
    }

    synchronized void unregister(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        long va = segment.address();
        long size = WdArguments.requirePositive("segment.byteSize()", segment.byteSize());
        Registration r = byStart.get(va);
        if (r == null || r.size != size) {
            Registration near = byPage.find(va);
            throw refused(
                    va,
                    Reason.NOT_REGISTERED,
                    "va=" + hex(va) + " size=" + size + " is not registered with this " + owner
                            + (r != null
                                    ? " (" + r + " has another size; unregister takes the registered range)"
                                    : near != null
                                            ? " (it lies inside " + near + "; unregister takes the registered range)"
                                            : " (never registered, or already unregistered)"));
        }
        if (r.references == 1) {
            long live = r.maps.get();
            if (live != 0) {
                throw refused(
                        va,
                        Reason.MAPPINGS_LIVE,
                        "va=" + hex(va) + " size=" + size + " has live_mappings=" + live
                                + ": iovaUnmap each mapping of it before its last unregister (a device may still use them)");
            }
            remove(r);
        } else {
            r.references--;
        }
    }

    private void remove(Registration r) {
        byStart.remove(r.base);
        unindex(r);
        byPage.clear(r.base, r.size);
        bytes.addAndGet(-r.size);
        holder.release(r.memory);
    }

    /** The registration holding {@code address}, or null. O(1), lock-free. */
    Registration find(long address) {
        Registration r = byPage.find(address);
        return r != null && r.covers(address) ? r : null;
    }

    /** Checks that {@code [address, address + size)} stays inside {@code r}. */
    void requireInside(Registration r, long address, long size) {
        if (Long.compareUnsigned(size, r.base + r.size - address) > 0) {
            throw new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.FOREIGN,
                    "va=" + hex(address) + " size=" + size + " runs past the end of " + r + " with this " + owner
                            + " (which ends at va=" + hex(r.base + r.size) + ")");
        }
    }

    /** Maps a range of a registration, counting one live mapping. */
    long map(Registration r, long address, long size) {
        requireInside(r, address, size);
        long iova = r.memory.translate(address, size);
        r.maps.incrementAndGet();
        return iova;
    }

    /** Undoes one {@link #map}; refuses a mismatch or an unmap with no map live. */
    void unmap(Registration r, long address, long iova, long size) {
        requireInside(r, address, size);
        WdArguments.requireMatchingIova(address, size, iova, r.memory.translate(address, size));
        long n;
        do {
            n = r.maps.get();
            if (n == 0) {
                throw new IllegalArgumentException("va=" + hex(address) + " iova=" + hex(iova) + " size=" + size
                        + " is not mapped: " + r + " has no live mapping to undo");
            }
        } while (!r.maps.compareAndSet(n, n - 1));
    }

    long registeredBytes() {
        return bytes.get();
    }

    String holding() {
        return holder.holding();
    }

    /** Releases every registration and closes the holder. */
    synchronized void close() {
        try {
            for (Registration r : byStart.values().toArray(Registration[]::new)) {
                remove(r);
            }
        } finally {
            holder.close();
        }
    }

    private static WdRegistrationException refused(long va, Reason reason, String message) {
        return new WdRegistrationException(va, reason, message, null);
    }
}
