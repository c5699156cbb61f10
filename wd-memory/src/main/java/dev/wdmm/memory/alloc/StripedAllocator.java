package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdStats;
import dev.wdmm.memory.events.WdEvents;
import dev.wdmm.memory.table.IovaIndex;
import dev.wdmm.memory.table.PageDirectory;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link ChunkAllocator} (see there for the promises). Small sizes come from the calling
 * thread's {@link ThreadCache} (no lock, no atomic instruction on allocation, one compare-and-set
 * on free), which refills from and flushes to the {@link Bin} of their class in the thread's
 * stripe; large sizes get a {@link RunSpan}. A {@link PageDirectory} indexed by chunk finds the
 * span of any address in O(1) without a lock (chunks are aligned to the chunk size, so no two
 * spans share a directory entry), and the span's dense per-slot record says whether the slot is
 * live and how large ({@link ClassSpan}).
 */
final class StripedAllocator implements ChunkAllocator {
    /** Smallest size class: 64 bytes (larger for chunks over 2 MiB, to bound slots per chunk). */
    static final int MIN_SHIFT = 6;
    /** At most 2^15 slots per class chunk, which bounds a chunk's bookkeeping to ~260 KiB. */
    static final int MAX_SLOTS_SHIFT = 15;
    /** Largest size class: 1 MiB (or half a chunk if that is smaller). */
    static final int MAX_SHIFT = 20;

    private final ChunkSource source;
    private final String owner;
    private final long chunkSize;
    private final int chunkShift;
    private final long granule;
    private final int minShift;
    private final int maxShift;
    private final int classes;
    private final Bin[] bins;
    private final ThreadCaches caches;
    /** Whether freed slots stay in thread caches: not with {@code retainEmpty == 0} (give back at once). */
    private final boolean caching;
    /** Chunk to the span owning it; addresses at or above 2^48 are never found. */
    private final PageDirectory<Span> directory;

    /** IOVA to the piece of a chunk or registration holding it (reverse lookups). */
    final IovaIndex iovaIndex = new IovaIndex();
    /** Memory the application registered; null where the source has no {@link ExternalHolder}. */
    final Registrations registrations;

    private final ConcurrentHashMap<Long, Span> spans = new ConcurrentHashMap<>();
    /** Live runs; live slots are counted by the thread caches. */
    private final AtomicLong liveRuns = new AtomicLong();
    /** Accounting off the hot path: runs, failures, chunk bytes held and the limit on them. */
    private final AllocatorCounters counters;

    private volatile boolean closed;
    /** Calls under way that acquire or release chunks ({@link #enterSource}). */
    private final AtomicInteger sourceUsers = new AtomicInteger();
    /** Chunks released lately: a refusal there says "already freed", not "foreign". */
    private final ReleasedChunks released = new ReleasedChunks();

    private StripedAllocator(ChunkSource source, AllocatorSettings settings) {
        this.source = source;
        this.owner = settings.owner();
        this.chunkSize = source.chunkSize();
        this.granule = source.granule();
        if (chunkSize < 4096 || chunkSize > 1L << 40 || Long.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunkSize=" + chunkSize + " must be a power of two in [4096, 2^40]");
        }
        if (granule < 4096 || granule > chunkSize || Long.bitCount(granule) != 1) {
            throw new IllegalArgumentException(
                    "granule=" + granule + " must be a power of two in [4096, chunkSize=" + chunkSize + "]");
        }
        this.chunkShift = Long.numberOfTrailingZeros(chunkSize);
        this.maxShift = Math.min(MAX_SHIFT, chunkShift - 1);
        this.minShift = Math.max(MIN_SHIFT, chunkShift - MAX_SLOTS_SHIFT);
        this.classes = maxShift - minShift + 1;
        this.directory = PageDirectory.create(chunkShift);
        this.bins = new Bin[settings.stripes() * classes];
        for (int i = 0; i < bins.length; i++) {
            bins[i] = new Bin(this, minShift + i % classes, settings.retainEmpty());
        }
        this.caches = new ThreadCaches(classes, settings.stripes());
        this.caching = settings.retainEmpty() > 0;
        ExternalHolder holder = source.externalHolder();
        this.registrations = holder == null ? null : new Registrations(owner, holder, iovaIndex);
        this.counters = new AllocatorCounters(settings.limitBytes());
    }

    static StripedAllocator open(ChunkSource source, AllocatorSettings settings) {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(settings, "settings is null");
        return new StripedAllocator(source, settings);
    }

    @Override
    public MemorySegment alloc(long size) {
        long address = allocAddress(size);
        Span span = directory.find(address);
        if (span == null) {
            // a racing close() released the chunk between the allocation and here
            throw new WdClosedException(owner + " is closed: alloc(size=" + size + ") refused");
        }
        return span.segment.asSlice(address - span.base, size);
    }

    @Override
    public long allocAddress(long size) {
        ensureOpen("alloc", size);
        WdArguments.requirePositive("size", size);
        if (size > MAX_SIZE) {
            throw new IllegalArgumentException("size=" + size + " must be <= " + MAX_SIZE);
        }
        if (size <= 1L << maxShift) {
            return allocSlot(size, Math.max(minShift, 64 - Long.numberOfLeadingZeros(size - 1)));
        }
        return allocRun(size);
    }

    /** A slot of class {@code 2^shift} from the calling thread's cache, refilled from its bin when empty. */
    private long allocSlot(long size, int shift) {
        ThreadCache cache = caches.current();
        int cls = shift - minShift;
        ThreadCache.Magazine m = cache.magazine(cls);
        int n = m.count;
        if (n == 0) {
            m = cache.grow(cls, shift);
            int batch = caching ? Math.max(1, m.capacity() / 2) : 1;
            n = bins[cache.stripe * classes + cls].fill(m.addresses, m.spans, batch, size);
        }
        n--;
        ClassSpan span = m.spans[n];
        long address = m.addresses[n];
        m.spans[n] = null;
        m.count = n;
        span.claim(address, size);
        cache.countAlloc(size);
        return address;
    }

    private long allocRun(long size) {
        enterSource("alloc", size);
        try {
            RunSpan run = RunSpan.of(acquire((size + granule - 1) & -granule, size), size);
            adopt(run);
            if (closed) {
                // close releases it (it waits for this call); either way the caller must not get it
                release(run);
                throw new WdClosedException(owner + " is closed: alloc(size=" + size + ") refused");
            }
            liveRuns.incrementAndGet();
            counters.runAllocated(size);
            return run.base;
        } finally {
            exitSource();
        }
    }

    @Override
    public void freeAddress(long address) {
        ensureOpen("free", address);
        try {
            Span span = owner(address);
            if (span instanceof ClassSpan page) {
                freeSlot(page, address);
            } else {
                freeRun((RunSpan) span, address);
            }
        } catch (WdOwnershipException refused) {
            throw closedOr(refused, "free", address);
        }
    }

    /** Makes the slot free (checked) and puts it in the calling thread's cache, giving older slots back when full. */
    private void freeSlot(ClassSpan page, long address) {
        int size;
        if (page.slotStart(address) != address || page.released || (size = page.unclaim(address)) == 0) {
            throw page.freeRefused(address, owner);
        }
        ThreadCache cache = caches.current();
        cache.countFree(size);
        if (!caching) {
            page.bin.putBack(page, address);
            return;
        }
        int cls = page.slotShift - minShift;
        ThreadCache.Magazine m = cache.magazine(cls);
        int n = m.count;
        if (n == m.capacity()) {
            m = cache.grow(cls, page.slotShift);
            if (m.count == m.capacity()) {
                ThreadCache.flush(m, Math.max(1, m.count / 2));
            }
            n = m.count;
        }
        m.addresses[n] = address;
        m.spans[n] = page;
        m.count = n + 1;
    }

    private void freeRun(RunSpan run, long address) {
        if (address != run.base) {
            throw Refusals.interior(address, run.base, run.size(), owner);
        }
        if (!run.markFreed()) {
            throw Refusals.freedAgain(address, owner);
        }
        liveRuns.decrementAndGet();
        counters.runFreed(run.size());
        release(run);
    }

    @Override
    public long iovaMapAddress(long address, long size) {
        ensureOpen("iovaMap", address);
        try {
            Span span = mappable(address, size);
            if (span == null) {
                return registrations.map(registered(address), address, size);
            }
            long start = span instanceof ClassSpan page ? page.slotStart(address) : span.base;
            long iova = span.translate(address, size); // a refused map (not contiguous) is not recorded
            MapRecords.map(span.maps(), span.mapIndex(start), address - start, size);
            return iova;
        } catch (WdOwnershipException refused) {
            throw closedOr(refused, "iovaMap", address);
        }
    }

    @Override
    public void iovaUnmapAddress(long address, long iova, long size) {
        ensureOpen("iovaUnmap", address);
        Span span;
        try {
            span = mappable(address, size);
            if (span == null) {
                registrations.unmap(registered(address), address, iova, size);
                return;
            }
        } catch (WdOwnershipException refused) {
            throw closedOr(refused, "iovaUnmap", address);
        }
        long expected = span.translate(address, size);
        if (iova != expected) {
            throw new IllegalArgumentException("iova=" + hex(iova) + " does not match va=" + hex(address) + " size="
                    + size + ", which maps to iova=" + hex(expected) + " in this " + owner);
        }
        long start = span instanceof ClassSpan page ? page.slotStart(address) : span.base;
        MapRecords.unmap(span.maps(), span.mapIndex(start), start, address - start, size, owner);
    }

    /**
     * The span of a live allocation holding all of {@code [address, address + size)}, null when no
     * chunk holds {@code address} (it may be registered external memory), or the refusal.
     */
    private Span mappable(long address, long size) {
        WdArguments.requirePositive("size", size);
        if (Long.compareUnsigned(address + size, address) < 0) {
            throw new IllegalArgumentException("va=" + hex(address) + " size=" + size + " wraps the address space");
        }
        Span span = ownerOrNull(address);
        if (span == null) {
            return null;
        }
        long end = allocationEnd(span, address);
        if (Long.compareUnsigned(address + size, end) > 0) {
            long start = span instanceof ClassSpan page ? page.slotStart(address) : span.base;
            throw Refusals.pastEnd(address, size, start, end, owner);
        }
        return span;
    }

    @Override
    public long contiguousLength(long address, long limit) {
        ensureOpen("contiguousLength", address);
        WdArguments.requirePositive("limit", limit);
        try {
            Span span = ownerOrNull(address);
            if (span == null) {
                Registrations.Registration r = registered(address);
                return r.memory.contiguousLength(address, Math.min(limit, r.base + r.size - address));
            }
            long end = allocationEnd(span, address);
            return span.memory.contiguousLength(address, Math.min(limit, end - address));
        } catch (WdOwnershipException refused) {
            throw closedOr(refused, "contiguousLength", address);
        }
    }

    private RuntimeException closedOr(WdOwnershipException refused, String operation, long address) {
        return Refusals.closedOr(closed, refused, operation, address, owner);
    }

    /** The end of the live allocation containing {@code address}, or an ownership exception. */
    private long allocationEnd(Span span, long address) {
        if (span instanceof ClassSpan page) {
            long size = page.allocationSize(address);
            if (size == 0) {
                throw Refusals.freeSlot(address, page.slotStart(address), page.slotSize(), owner);
            }
            return page.slotStart(address) + size;
        }
        RunSpan run = (RunSpan) span;
        long end = run.base + run.size();
        if (run.isFreed()) {
            throw Refusals.freedRun(address, owner);
        }
        if (Long.compareUnsigned(address, end) >= 0) {
            throw foreign(address);
        }
        return end;
    }

    private Span owner(long address) {
        Span span = ownerOrNull(address);
        if (span == null) {
            throw foreign(address);
        }
        return span;
    }

    /** The span holding {@code address}, or null. */
    Span ownerOrNull(long address) {
        Span span = directory.find(address);
        return span == null || Long.compareUnsigned(address - span.base, span.bytes) >= 0 ? null : span;
    }

    /** The registration holding {@code address}, or a FOREIGN refusal. */
    private Registrations.Registration registered(long address) {
        Registrations.Registration r = registrations == null ? null : registrations.find(address);
        if (r == null) {
            throw foreign(address);
        }
        return r;
    }

    private WdOwnershipException foreign(long address) {
        Registrations.Registration r = registrations == null ? null : registrations.find(address);
        if (r != null) {
            return new WdOwnershipException(
                    address,
                    WdOwnershipException.Reason.FOREIGN,
                    "va=" + hex(address) + " is not memory of this " + owner + " (it is registered external memory, "
                            + r + ": unregister it, not free)");
        }
        return Refusals.notHeld(address, released.find(address), owner);
    }

    /** The span whose directory entry covers {@code address}'s chunk slot, or null (no range check). */
    Span spanAt(long address) {
        return directory.find(address);
    }

    @Override
    public <T> Optional<T> capability(Class<T> type) {
        Objects.requireNonNull(type, "type is null");
        if (type == dev.wdmm.api.WdIovaLookup.class) {
            return Optional.of(type.cast(new AllocatorLookup(this)));
        }
        if (type == dev.wdmm.api.WdRegistration.class && registrations != null) {
            return Optional.of(type.cast(new AllocatorRegistration(this, registrations)));
        }
        return Optional.empty();
    }

    /**
     * A chunk from the source; on a shortage, gives back the empty chunks every bin retains and
     * tries once more. Called with no bin lock held (trimming takes them one at a time).
     */
    ChunkMemory acquire(long bytes, long requested) {
        if (!counters.reserve(bytes) && !(giveBackEmpty() && counters.reserve(bytes))) {
            counters.failed();
            WdEvents.allocationFailure(owner, requested, "limit");
            throw counters.overLimit(owner, requested, bytes);
        }
        ChunkMemory memory = null;
        try {
            memory = source.acquire(bytes, requested);
            if (memory == null && giveBackEmpty()) {
                memory = source.acquire(bytes, requested);
            }
        } finally {
            if (memory == null) {
                counters.unreserve(bytes);
            }
        }
        if (memory == null) {
            counters.failed();
            WdEvents.allocationFailure(owner, requested, "exhausted");
            throw source.exhausted(requested, bytes);
        }
        WdEvents.chunkAcquired(owner, memory.segment().address(), bytes, requested);
        return memory;
    }

    /**
     * Gives back what a shortage may cure: the calling thread's cached slots and those of ended
     * threads go back to their bins (chunks they empty beyond the retained ones are released
     * then), then every bin releases its empty chunks. Returns whether any chunk went back.
     */
    private boolean giveBackEmpty() {
        int before = spans.size();
        caches.current().flushAll();
        caches.reclaimDead();
        trimEmpty();
        return spans.size() < before;
    }

    /** Releases every retained empty class chunk. */
    void trimEmpty() {
        for (Bin bin : bins) {
            bin.trim();
        }
    }

    /** The thread caches (for tests). */
    ThreadCaches caches() {
        return caches;
    }

    /** Publishes a span: lookups of its addresses find it from now on. */
    void adopt(Span span) {
        spans.put(span.base, span);
        directory.set(span.base, span.bytes, span);
        AllocatorLookup.index(iovaIndex, span);
    }

    /** Unpublishes a span (later lookups there fail as foreign) and gives its chunk back, once. */
    void release(Span span) {
        sourceUsers.incrementAndGet();
        try {
            // after close began, close releases what is left (it waits for calls under way)
            if (!closed && spans.remove(span.base, span)) {
                released.add(span.base, span.bytes);
                unpublish(span);
            }
        } finally {
            sourceUsers.decrementAndGet();
        }
    }

    /**
     * Marks a call that acquires or releases chunks as under way, or refuses it after close;
     * {@link #close()} waits until none is under way before it releases chunks and closes the source.
     */
    void enterSource(String operation, long argument) {
        sourceUsers.incrementAndGet();
        if (closed) {
            sourceUsers.decrementAndGet();
            ensureOpen(operation, argument);
        }
    }

    /** Ends what {@link #enterSource} began. */
    void exitSource() {
        sourceUsers.decrementAndGet();
    }

    /** Unpublishes a span taken out of {@code spans} (by close, or by a release) and gives its chunk back. */
    private void unpublish(Span span) {
        AllocatorLookup.unindex(iovaIndex, span);
        directory.clear(span.base, span.bytes);
        try {
            source.release(span.memory);
        } finally {
            counters.unreserve(span.bytes);
            WdEvents.chunkReleased(owner, span.base, span.bytes);
        }
    }

    /** Gives a chunk back on close (no call is under way then). */
    private void releaseOnClose(Span span) {
        if (spans.remove(span.base, span)) {
            unpublish(span);
        }
    }

    long chunkSize() {
        return chunkSize;
    }

    String owner() {
        return owner;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Throws when closed; the message names the operation and its argument (built only then). */
    void ensureOpen(String operation, long argument) {
        if (closed) {
            throw new WdClosedException(owner + " is closed: " + operation + "("
                    + ("alloc".equals(operation)
                            ? "size=" + argument
                            : ("iovaToVa".equals(operation) ? "iova=" : "va=") + hex(argument))
                    + ") refused");
        }
    }

    /** Releases every chunk and reports what was still allocated ({@link LeakReports}). */
    @Override
    public void close() {
        AllocatorCounters.Outstanding outstanding = closeCounting();
        if (outstanding != null) {
            LeakReports.closed(owner, outstanding.allocations(), outstanding.bytes(), List.of());
        }
    }

    /** Closes without reporting; returns what was outstanding, or null if it was closed already. */
    synchronized AllocatorCounters.Outstanding closeCounting() {
        if (closed) {
            return null;
        }
        closed = true;
        for (Bin bin : bins) {
            bin.quiesce();
        }
        while (sourceUsers.get() != 0) {
            Thread.onSpinWait(); // a racing acquire or release finishes with the source still open
        }
        counters.closing(caches.totals(), liveRuns.get());
        liveRuns.set(0);
        try {
            if (registrations != null) {
                registrations.close();
            }
            for (Span span : spans.values()) {
                releaseOnClose(span);
            }
        } finally {
            caches.close();
            source.close();
        }
        return counters.outstandingAtClose();
    }

    @Override
    public long largestClass() {
        return 1L << maxShift;
    }

    @Override
    public long liveAllocations() {
        return closed ? 0 : caches.live() + liveRuns.get();
    }

    @Override
    public long heldChunks() {
        return spans.size();
    }

    @Override
    public WdStats stats() {
        long[] totals = closed ? new long[] {0, 0, caches.totals()[2]} : caches.totals();
        java.util.TreeMap<Long, Long> bySize = new java.util.TreeMap<>();
        for (Span span : spans.values()) {
            bySize.merge(span.bytes, 1L, Long::sum);
        }
        long runs = closed ? 0 : liveRuns.get();
        return counters.snapshot(owner, totals[0] + runs, totals[1], totals[2], bySize);
    }

    @Override
    public String toString() {
        return "ChunkAllocator[owner=" + owner + ", chunkSize=" + chunkSize + ", heldChunks=" + spans.size() + ", live="
                + liveAllocations() + ", holding=" + source.holding() + (closed ? ", closed" : "") + "]";
    }
}
