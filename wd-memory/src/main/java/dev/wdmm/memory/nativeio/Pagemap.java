package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdMappingException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Virtual-to-physical translation through {@code /proc/self/pagemap}: one 64-bit entry per
 * virtual page, bit 63 "present in RAM", bit 62 "swapped", bits 0-54 the page frame number (PFN).
 * The file is opened once and read with positional reads ({@code pread}); a range of N pages is
 * read with one call (up to {@value #BATCH} pages per call).
 *
 * <p>Without {@code CAP_SYS_ADMIN} the kernel reports every PFN as 0; {@link #unavailabilityCause()}
 * detects that once per process and says so, and the translating methods refuse with the same
 * reason instead of returning address 0.
 *
 * <p>The file is read with native {@code pread} rather than a {@link java.nio.channels.FileChannel}:
 * an interrupted thread would close a shared channel for every other thread.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once; {@link #close()}
 * waits for reads in progress. Reads after close throw {@link IllegalStateException}.
 */
public final class Pagemap implements AutoCloseable {
    /** The pagemap of the calling process. */
    public static final Path SELF = Path.of("/proc/self/pagemap");
    /** Most pages read by one {@code pread}. */
    public static final int BATCH = 8192;

    private static final long PRESENT = 1L << 63;
    private static final long SWAPPED = 1L << 62;
    private static final long PFN_MASK = (1L << 55) - 1;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8L * BATCH, 8));

    private final Path path;
    private final int fd;
    private final long pageSize;
    private final int pageShift;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private Pagemap(Path path, int fd) {
        this.path = path;
        this.fd = fd;
        this.pageSize = NativeMemory.pageSize();
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
    }

    /**
     * Opens {@code /proc/self/pagemap}.
     *
     * @return an open pagemap; close it when done
     * @throws dev.wdmm.api.WdNativeException if it cannot be opened (errno and fix named)
     */
    public static Pagemap open() {
        return open(SELF);
    }

    /**
     * Opens a file in the pagemap format: {@code /proc/<pid>/pagemap}, or a test fixture.
     *
     * @param path the file
     * @return an open pagemap; close it when done
     * @throws NullPointerException if {@code path} is null
     * @throws dev.wdmm.api.WdNativeException if it cannot be opened
     */
    public static Pagemap open(Path path) {
        Objects.requireNonNull(path, "path is null");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toString());
            MemorySegment slot = LibC.errnoSlot();
            int fd = LibC.open(slot, name, O_RDONLY_CLOEXEC, 0);
            if (fd < 0) {
                int errno = LibC.errno(slot);
                throw NativeErrors.failure(
                        "open(path=" + path + ", flags=O_RDONLY|O_CLOEXEC)",
                        errno,
                        errno == NativeErrors.ENOENT
                                ? "the kernel needs CONFIG_PROC_PAGE_MONITOR and /proc mounted"
                                : null);
            }
            return new Pagemap(path, fd);
        }
    }

    /**
     * Why physical addresses cannot be read in this process, checked once and cached: a page this
     * class maps and touches reads as present with PFN 0 without {@code CAP_SYS_ADMIN}.
     *
     * @return empty when PFNs are visible, otherwise the reason with the fix
     */
    public static java.util.Optional<String> unavailabilityCause() {
        return PfnProbe.CAUSE;
    }

    /**
     * The raw 64-bit pagemap entry of the page containing {@code va}.
     *
     * @param va any address; pages outside the address space read as 0 (not present)
     * @return the entry as the kernel wrote it
     * @throws IllegalStateException after close
     */
    public long entry(long va) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("pagemap " + path + " is closed");
            }
            long position = (va >>> pageShift) * 8;
            MemorySegment scratch = SCRATCH.get();
            return read(scratch, 8, position) == 8 ? scratch.get(ValueLayout.JAVA_LONG, 0) : 0L;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Reads the raw entries of {@code count} consecutive pages, starting with the page containing
     * {@code va}, with one {@code pread} per {@value #BATCH} pages.
     *
     * @param va any address
     * @param out where the entries go
     * @param offset first index written in {@code out}
     * @param count pages, {@code >= 0}
     * @throws IndexOutOfBoundsException if {@code out} is too small
     * @throws IllegalArgumentException if the pages wrap past the end of the address space
     * @throws IllegalStateException after close
     */
    public void entries(long va, long[] out, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, out.length);
        long firstPage = va >>> pageShift;
        if (count > 0 && Long.compareUnsigned(firstPage + count - 1, -1L >>> pageShift) > 0) {
            throw new IllegalArgumentException("va=" + hex(va) + " count=" + count + " wraps the address space");
        }
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("pagemap " + path + " is closed");
            }
            readEntries(firstPage, out, offset, count);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The physical address of {@code va}: its page's frame times the page size, plus the offset.
     *
     * @param va an address in a page that is present in RAM
     * @return the physical address
     * @throws WdMappingException if the page is not present (untouched, unpopulated or unmapped)
     *     or swapped out
     * @throws IllegalStateException if PFNs are hidden (no {@code CAP_SYS_ADMIN}), or after close
     */
    public long physicalAddress(long va) {
        long pfn = checkedFrame(va, entry(va), va, 1);
        return (pfn << pageShift) | (va & (pageSize - 1));
    }

    /**
     * The checked frame numbers of {@code out.length} consecutive pages starting with the page
     * containing {@code va}, read in batches.
     *
     * @param va any address in the first page
     * @param out one frame number per page
     * @throws WdMappingException if a page is not present or swapped; {@link WdMappingException#breakOffset()}
     *     is the offset from {@code va}'s page start of the first such page
     * @throws IllegalStateException if PFNs are hidden, or after close
     */
    public void frameNumbers(long va, long[] out) {
        long base = va & -pageSize;
        entries(base, out, 0, out.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = checkedFrame(base + ((long) i << pageShift), out[i], base, (long) out.length << pageShift);
        }
    }

    /**
     * How many bytes from {@code va} on are physically contiguous, up to {@code limit}: like
     * SPDK's {@code spdk_vtophys(va, &size)}. Stops at the first page that is not present.
     *
     * @param va an address in a page that is present in RAM
     * @param limit the most bytes to consider, {@code > 0}
     * @return bytes in {@code [1, limit]} that start at {@code va} and are physically contiguous
     * @throws IllegalArgumentException if {@code limit <= 0} or {@code va + limit} wraps
     * @throws WdMappingException if {@code va}'s own page is not present or swapped
     * @throws IllegalStateException if PFNs are hidden, or after close
     */
    public long contiguousLength(long va, long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit=" + limit + " must be > 0");
        }
        if (Long.compareUnsigned(va + limit, va) < 0) {
            throw new IllegalArgumentException("va=" + hex(va) + " limit=" + limit + " wraps the address space");
        }
        long firstPfn = checkedFrame(va, entry(va), va, limit);
        long bytes = pageSize - (va & (pageSize - 1));
        long[] batch = new long[(int) Math.min(BATCH, ((limit - 1) >>> pageShift) + 1)];
        long nextPage = (va >>> pageShift) + 1;
        long expected = firstPfn + 1;
        while (bytes < limit) {
            int n = (int) Math.min(batch.length, ((limit - bytes - 1) >>> pageShift) + 1);
            entries(nextPage << pageShift, batch, 0, n);
            for (int i = 0; i < n; i++, expected++) {
                long entry = batch[i];
                if ((entry & PRESENT) == 0 || (entry & SWAPPED) != 0 || (entry & PFN_MASK) != expected) {
                    return Math.min(bytes, limit);
                }
                bytes += pageSize;
            }
            nextPage += n;
        }
        return Math.min(bytes, limit);
    }

    /**
     * The page size the entries describe.
     *
     * @return bytes
     */
    public long pageSize() {
        return pageSize;
    }

    /** Closes the file, after reads in progress. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                LibC.close(LibC.errnoSlot(), fd);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "Pagemap[" + path + "]";
    }

    private long checkedFrame(long pageVa, long entry, long rangeVa, long rangeSize) {
        if ((entry & PRESENT) == 0) {
            String what = (entry & SWAPPED) != 0
                    ? "is swapped out; pin it (LongTermPins) so it stays in RAM and in place"
                    : "is not present in RAM (never touched, not populated, or not mapped); touch it, map it with"
                            + " MAP_POPULATE, or pin it";
            throw new WdMappingException(
                    rangeVa,
                    rangeSize,
                    pageVa - rangeVa,
                    "va=" + hex(pageVa) + " " + what + " (pagemap entry=" + hex(entry) + ")");
        }
        long pfn = entry & PFN_MASK;
        if (pfn == 0) {
            throw new IllegalStateException("va=" + hex(pageVa) + " is present but its PFN reads as 0: "
                    + unavailabilityCause().orElse(PfnProbe.HIDDEN));
        }
        return pfn;
    }

    private void readEntries(long firstPage, long[] out, int offset, int count) {
        MemorySegment scratch = SCRATCH.get();
        int done = 0;
        while (done < count) {
            long want = 8L * Math.min(BATCH, count - done);
            long got = read(scratch, want, (firstPage + done) * 8);
            if (got < 8) {
                // past the end of the user address space: nothing is mapped there
                java.util.Arrays.fill(out, offset + done, offset + count, 0L);
                return;
            }
            int n = (int) (got / 8);
            MemorySegment.copy(scratch, ValueLayout.JAVA_LONG, 0, out, offset + done, n);
            done += n;
        }
    }

    /** One {@code pread} into {@code scratch}, retried on EINTR; returns the bytes read (0 at the end). */
    private long read(MemorySegment scratch, long want, long position) {
        MemorySegment slot = LibC.errnoSlot();
        while (true) {
            long got = LibC.pread(slot, fd, scratch, want, position);
            if (got >= 0) {
                return got;
            }
            int errno = LibC.errno(slot);
            if (errno != NativeErrors.EINTR) {
                throw NativeErrors.failure(
                        "pread(path=" + path + ", len=" + want + ", offset=" + position + ")", errno, null);
            }
        }
    }

    /** Probes PFN visibility once per process, on first use. */
    private static final class PfnProbe {
        static final String HIDDEN = "/proc/self/pagemap shows every PFN as 0 because the process lacks CAP_SYS_ADMIN;"
                + " run as root or grant CAP_SYS_ADMIN (e.g. setcap cap_sys_admin+ep on the java binary,"
                + " --cap-add SYS_ADMIN for a container)";
        static final java.util.Optional<String> CAUSE = probe();

        private static java.util.Optional<String> probe() {
            long page = NativeMemory.pageSize();
            MemorySegment touched;
            try {
                touched = NativeMemory.mmap(
                        page,
                        NativeMemory.PROT_READ | NativeMemory.PROT_WRITE,
                        NativeMemory.MAP_PRIVATE | NativeMemory.MAP_POPULATE);
            } catch (RuntimeException e) {
                return java.util.Optional.of("cannot map a probe page: " + e.getMessage());
            }
            try (Pagemap pagemap = open()) {
                touched.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                long entry = pagemap.entry(touched.address());
                if ((entry & PRESENT) == 0) {
                    return java.util.Optional.of(
                            "a touched probe page reads as not present in " + SELF + " (entry=" + hex(entry) + ")");
                }
                return (entry & PFN_MASK) == 0 ? java.util.Optional.of(HIDDEN) : java.util.Optional.empty();
            } catch (RuntimeException e) {
                return java.util.Optional.of("cannot read " + SELF + ": " + e.getMessage());
            } finally {
                NativeMemory.munmap(touched);
            }
        }
    }
}
