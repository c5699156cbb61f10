package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.memory.table.AllocationRegistry;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Page-level memory calls of the C library ({@code mmap}, {@code munmap}, {@code mlock},
 * {@code munlock}, {@code madvise}, {@code sysconf}, {@code getrlimit}, {@code setrlimit},
 * {@code strerror}) for backend authors, on Linux (x86-64 and AArch64 share the constants below).
 *
 * <p><b>Safety:</b> every argument is checked before the native call, so a bad one throws
 * instead of crashing the JVM. {@link #munmap} and {@link #madvise} only accept memory that
 * {@link #mmap} of this class mapped and that is still mapped (unmapping or discarding the JVM's
 * own memory would crash it); {@link #mlock} and {@link #munlock} accept any native segment,
 * since locking cannot corrupt memory.
 *
 * <p><b>Failures:</b> a refused call throws {@link dev.wdmm.api.WdNativeException} naming the
 * call, its arguments, {@code errno}, {@code strerror} and, where one is known, the fix.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once; {@code errno}
 * is captured per thread.
 *
 * <p>The calling module needs native access: {@code --enable-native-access=dev.wdmm.memory} on the
 * module path, {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
public final class NativeMemory {
    /** {@code PROT_READ}. */
    public static final int PROT_READ = 0x1;
    /** {@code PROT_WRITE}. */
    public static final int PROT_WRITE = 0x2;
    /** {@code MAP_SHARED}. */
    public static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_ANONYMOUS}: memory not backed by a file. {@link #mmap} always adds it. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** {@code MAP_LOCKED}: lock the pages like {@code mlock} (failures are silent in the kernel; not a pin). */
    public static final int MAP_LOCKED = 0x2000;
    /** {@code MAP_NORESERVE}: no swap reservation. */
    public static final int MAP_NORESERVE = 0x4000;
    /** {@code MAP_POPULATE}: fault every page in before returning. */
    public static final int MAP_POPULATE = 0x8000;
    /** {@code MAP_HUGETLB}: back by huge pages; combine with {@link #hugePageSizeFlag(long)}. */
    public static final int MAP_HUGETLB = 0x40000;
    /** {@code MAP_HUGE_SHIFT}: where the log2 of the huge page size goes in the flags. */
    public static final int MAP_HUGE_SHIFT = 26;
    /** {@code MADV_WILLNEED}. */
    public static final int MADV_WILLNEED = 3;
    /** {@code MADV_DONTNEED}: drop the pages; anonymous memory reads back as zeros. */
    public static final int MADV_DONTNEED = 4;
    /** {@code MADV_DONTFORK}: do not share the pages with a forked child (keeps DMA pages put). */
    public static final int MADV_DONTFORK = 10;
    /** {@code MADV_HUGEPAGE}: allow transparent huge pages. */
    public static final int MADV_HUGEPAGE = 14;
    /** {@code MADV_NOHUGEPAGE}: forbid transparent huge pages (keeps 4 KiB granularity). */
    public static final int MADV_NOHUGEPAGE = 15;
    /**
     * {@code MADV_POPULATE_WRITE} (Linux 5.14): fault every page in writable, failing with an
     * error (not {@code SIGBUS}) where pages cannot be had, e.g. huge pages on a bound node.
     */
    public static final int MADV_POPULATE_WRITE = 23;

    private static final int SC_PAGESIZE = 30;
    private static final int RLIMIT_MEMLOCK = 8;
    private static final long SYS_MREMAP = 25;
    private static final long MREMAP_MAYMOVE = 1;
    private static final long MREMAP_FIXED = 2;
    private static final AllocationRegistry<Arena> MAPPINGS = new AllocationRegistry<>("NativeMemory mapping table");
    private static final long PAGE_SIZE = queryPageSize();

    private NativeMemory() {}

    /**
     * The base page size ({@code sysconf(_SC_PAGESIZE)}), read once.
     *
     * @return bytes, a power of two
     */
    public static long pageSize() {
        return PAGE_SIZE;
    }

    /**
     * Maps anonymous memory: {@code mmap(NULL, length, prot, flags | MAP_ANONYMOUS, -1, 0)}.
     *
     * @param length bytes, {@code > 0}; with {@link #MAP_HUGETLB} a multiple of the huge page size
     * @param prot {@link #PROT_READ} and/or {@link #PROT_WRITE} (0 for no access)
     * @param flags exactly one of {@link #MAP_PRIVATE}, {@link #MAP_SHARED}, plus optional
     *     {@link #MAP_POPULATE}, {@link #MAP_LOCKED}, {@link #MAP_NORESERVE}, {@link #MAP_HUGETLB}
     *     with a {@link #hugePageSizeFlag(long)}
     * @return a segment of exactly {@code length} bytes at the mapping, in a shared scope of its
     *     own that {@link #munmap} closes before unmapping: the segment and every slice of it
     *     ({@code asSlice}) are then no longer accessible, and an access throws
     *     {@link IllegalStateException} instead of touching memory that is no longer mapped
     * @throws IllegalArgumentException if an argument breaks a rule above (named in the message)
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses (e.g. {@code ENOMEM} with the
     *     hugepage sysctl to run)
     */
    @SuppressWarnings("restricted")
    public static MemorySegment mmap(long length, int prot, int flags) {
        MmapRules.check(length, prot, flags, PAGE_SIZE);
        int allFlags = flags | MAP_ANONYMOUS;
        MemorySegment slot = LibC.errnoSlot();
        MemorySegment mapped = LibC.mmap(slot, MemorySegment.NULL, length, prot, allFlags, -1, 0L);
        if (mapped.address() == -1L) {
            int errno = LibC.errno(slot);
            String call = "mmap(addr=NULL, len=" + length + ", prot=" + hex(prot) + ", flags=" + hex(allFlags)
                    + ", fd=-1, offset=0)";
            throw NativeErrors.failure(call, errno, MmapRules.mmapFix(errno, flags, length));
        }
        Arena scope = Arena.ofShared();
        MAPPINGS.register(mapped.address(), length, scope);
        return mapped.reinterpret(length, scope, null);
    }

    /**
     * Maps anonymous memory like {@link #mmap} at a multiple of {@code alignment} (e.g. 2 MiB, so
     * that transparent huge pages can back it): maps {@code alignment - pageSize()} bytes more,
     * then unmaps the misaligned head and the tail. Nothing is faulted in.
     *
     * @param length bytes, {@code > 0}, a multiple of {@link #pageSize()}
     * @param alignment a power of two {@code >= pageSize()}
     * @param prot as for {@link #mmap}
     * @param flags as for {@link #mmap}, without {@link #MAP_HUGETLB}, {@link #MAP_POPULATE} and
     *     {@link #MAP_LOCKED} (they would act on the trimmed parts too)
     * @return a segment of exactly {@code length} bytes at an aligned address, in its own scope
     *     that {@link #munmap} closes
     * @throws IllegalArgumentException if an argument breaks a rule above (named in the message)
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses
     */
    @SuppressWarnings("restricted")
    public static MemorySegment mmapAligned(long length, long alignment, int prot, int flags) {
        if (alignment < PAGE_SIZE || Long.bitCount(alignment) != 1 || alignment > 1L << 40) {
            throw new IllegalArgumentException(
                    "alignment=" + alignment + " must be a power of two in [" + PAGE_SIZE + ", 2^40]");
        }
        if ((flags & (MAP_HUGETLB | MAP_POPULATE | MAP_LOCKED)) != 0) {
            throw new IllegalArgumentException("flags=" + hex(flags) + " must not contain MAP_HUGETLB, MAP_POPULATE or"
                    + " MAP_LOCKED in mmapAligned (rule: populate or pin the aligned memory afterwards)");
        }
        MmapRules.check(length, prot, flags, PAGE_SIZE);
        if ((length & (PAGE_SIZE - 1)) != 0 || length > Long.MAX_VALUE - 2 * alignment) {
            throw new IllegalArgumentException("length=" + length + " must be a multiple of the page size " + PAGE_SIZE
                    + " and <= " + (Long.MAX_VALUE - 2 * alignment));
        }
        long span = length + alignment - PAGE_SIZE;
        int allFlags = flags | MAP_ANONYMOUS;
        MemorySegment slot = LibC.errnoSlot();
        long mapped = LibC.mmap(slot, MemorySegment.NULL, span, prot, allFlags, -1, 0L)
                .address();
        if (mapped == -1L) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(
                    "mmap(addr=NULL, len=" + span + ", prot=" + hex(prot) + ", flags=" + hex(allFlags)
                            + ", fd=-1, offset=0) for alignment=" + alignment,
                    errno,
                    null);
        }
        long start = (mapped + alignment - 1) & -alignment;
        trim(mapped, start - mapped);
        trim(start + length, mapped + span - (start + length));
        Arena scope = Arena.ofShared();
        MAPPINGS.register(start, length, scope);
        return MemorySegment.ofAddress(start).reinterpret(length, scope, null);
    }

    /** Unmaps a part of a fresh mapping that mmapAligned does not hand out. */
    private static void trim(long address, long length) {
        MemorySegment slot = LibC.errnoSlot();
        if (length != 0 && LibC.munmap(slot, MemorySegment.ofAddress(address), length) != 0) {
            throw NativeErrors.failure("munmap(addr=" + hex(address) + ", len=" + length + ")", LibC.errno(slot), null);
        }
    }

    /**
     * Unmaps a whole mapping made by {@link #mmap}. Its scope is closed first (a JVM-wide
     * handshake: no thread is then accessing it), so the segment and every slice of it throw
     * {@link IllegalStateException} on any later access instead of reaching memory whose
     * addresses may be reused.
     *
     * @param mapping the segment {@link #mmap} returned (same address and size)
     * @throws NullPointerException if {@code mapping} is null
     * @throws IllegalArgumentException if it is not a live mapping of this class, or not all of one
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses
     */
    public static void munmap(MemorySegment mapping) {
        WdArguments.requireNative("mapping", mapping);
        long address = mapping.address();
        AllocationRegistry.Entry<Arena> entry = MAPPINGS.get(address);
        if (entry != null && entry.size() != mapping.byteSize()) {
            throw new IllegalArgumentException("munmap va=" + hex(address) + " size=" + mapping.byteSize()
                    + " must be the whole mapping of size=" + entry.size() + " made by NativeMemory.mmap");
        }
        MAPPINGS.remove(address).attachment().close();
        MemorySegment slot = LibC.errnoSlot();
        if (LibC.munmap(slot, MemorySegment.ofAddress(address), mapping.byteSize()) != 0) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(
                    "munmap(addr=" + hex(address) + ", len=" + mapping.byteSize() + ")", errno, null);
        }
    }

    /**
     * Moves the whole mapping {@code mapping} (made by {@link #mmap}, huge pages included) to
     * {@code window.address() + offset}, replacing what the window mapped there ({@code mremap}
     * with {@code MREMAP_MAYMOVE | MREMAP_FIXED}; the pages and their contents move, their frames
     * stay). The mapping's scope is closed (the segment must not be used again; its memory is now
     * part of the window, whose {@link #munmap} unmaps it); the window keeps its scope.
     *
     * @param mapping a whole live mapping of this class
     * @param window a live mapping of this class (e.g. {@code PROT_NONE} from {@link #mmapAligned})
     * @param offset where in the window, a multiple of the mapping's page size; the mapping must fit
     * @throws IllegalArgumentException if a segment is not a whole live mapping or does not fit
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses (nothing moved)
     */
    public static void moveInto(MemorySegment mapping, MemorySegment window, long offset) {
        WdArguments.requireNative("mapping", mapping);
        WdArguments.requireNative("window", window);
        AllocationRegistry.Entry<Arena> moved = MAPPINGS.get(mapping.address());
        AllocationRegistry.Entry<Arena> target = MAPPINGS.get(window.address());
        long length = mapping.byteSize();
        if (moved == null || moved.size() != length || target == null || target.size() != window.byteSize()) {
            throw new IllegalArgumentException("moveInto va=" + hex(mapping.address()) + " window="
                    + hex(window.address()) + ": both must be whole live mappings made by NativeMemory");
        }
        if (offset < 0 || offset > window.byteSize() - length) {
            throw new IllegalArgumentException(
                    "offset=" + offset + " size=" + length + " must fit the window size=" + window.byteSize());
        }
        long to = window.address() + offset;
        MemorySegment slot = LibC.errnoSlot();
        long result =
                LibC.syscall(slot, SYS_MREMAP, mapping.address(), length, length, MREMAP_MAYMOVE | MREMAP_FIXED, to, 0);
        if (result != to) {
            throw NativeErrors.failure(
                    "mremap(old=" + hex(mapping.address()) + ", len=" + length + ", flags=MAYMOVE|FIXED, new=" + hex(to)
                            + ")",
                    LibC.errno(slot),
                    null);
        }
        MAPPINGS.remove(mapping.address()).attachment().close();
    }

    /**
     * Locks the pages of {@code range} in RAM ({@code mlock}): they are faulted in and never
     * swapped out. That does <b>not</b> keep them in place: compaction, huge page allocation,
     * memory offlining and {@code fork()} with writes still move locked pages to other frames, so
     * a physical address read after {@code mlock} may go stale. Hold DMA memory in place with
     * {@link LongTermPins} instead.
     *
     * @param range a native segment, {@code byteSize() > 0}
     * @throws IllegalArgumentException if the range is empty or wraps
     * @throws dev.wdmm.api.WdNativeException if refused; for {@code ENOMEM}, {@code EAGAIN} or
     *     {@code EPERM} the message gives {@code RLIMIT_MEMLOCK} and the fix
     *     ({@code ulimit -l unlimited} or {@code CAP_IPC_LOCK})
     */
    public static void mlock(MemorySegment range) {
        WdArguments.requireRange(range, range == null ? 1 : range.byteSize());
        MemorySegment slot = LibC.errnoSlot();
        if (LibC.mlock(slot, range, range.byteSize()) != 0) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(
                    "mlock(addr=" + hex(range.address()) + ", len=" + range.byteSize() + ")",
                    errno,
                    MmapRules.lockFix(errno));
        }
    }

    /**
     * Unlocks the pages of {@code range} ({@code munlock}).
     *
     * @param range a native segment, {@code byteSize() > 0}
     * @throws IllegalArgumentException if the range is empty or wraps
     * @throws dev.wdmm.api.WdNativeException if refused
     */
    public static void munlock(MemorySegment range) {
        WdArguments.requireRange(range, range == null ? 1 : range.byteSize());
        MemorySegment slot = LibC.errnoSlot();
        if (LibC.munlock(slot, range, range.byteSize()) != 0) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(
                    "munlock(addr=" + hex(range.address()) + ", len=" + range.byteSize() + ")", errno, null);
        }
    }

    /**
     * Gives the kernel advice about a page-aligned range of a live {@link #mmap} mapping.
     *
     * @param range page-aligned start, {@code byteSize() > 0}, inside one live mapping of this class
     * @param advice an {@code MADV_*} constant, e.g. {@link #MADV_DONTFORK}
     * @throws IllegalArgumentException if misaligned, empty, wrapping or not inside a mapping
     * @throws dev.wdmm.api.WdNativeException if refused
     */
    public static void madvise(MemorySegment range, int advice) {
        WdArguments.requireRange(range, range == null ? 1 : range.byteSize());
        if ((range.address() & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(
                    "madvise va=" + hex(range.address()) + " must be aligned to the page size " + PAGE_SIZE);
        }
        if (advice < 0) {
            throw new IllegalArgumentException("advice=" + advice + " must be >= 0");
        }
        MAPPINGS.find(range.address(), range.byteSize());
        MemorySegment slot = LibC.errnoSlot();
        if (LibC.madvise(slot, range, range.byteSize(), advice) != 0) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(
                    "madvise(addr=" + hex(range.address()) + ", len=" + range.byteSize() + ", advice=" + advice + ")",
                    errno,
                    null);
        }
    }

    /**
     * This process's {@code RLIMIT_MEMLOCK}: how many bytes it may lock without {@code CAP_IPC_LOCK}.
     *
     * @return the limit
     * @throws dev.wdmm.api.WdNativeException if {@code getrlimit} fails
     */
    public static ResourceLimit memlockLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(LibC.RLIMIT);
            MemorySegment slot = LibC.errnoSlot();
            if (LibC.getrlimit(slot, RLIMIT_MEMLOCK, rlimit) != 0) {
                throw NativeErrors.failure("getrlimit(RLIMIT_MEMLOCK)", LibC.errno(slot), null);
            }
            return new ResourceLimit(
                    rlimit.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0),
                    rlimit.get(java.lang.foreign.ValueLayout.JAVA_LONG, 8));
        }
    }

    /**
     * Sets this process's {@code RLIMIT_MEMLOCK} ({@code setrlimit}). Lowering is always allowed;
     * raising the hard limit needs {@code CAP_SYS_RESOURCE}.
     *
     * @param limit the new limit, not null
     * @throws NullPointerException if {@code limit} is null
     * @throws dev.wdmm.api.WdNativeException if refused ({@code EPERM}: the fix is named)
     */
    public static void setMemlockLimit(ResourceLimit limit) {
        java.util.Objects.requireNonNull(limit, "limit is null");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlimit = arena.allocate(LibC.RLIMIT);
            rlimit.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, limit.soft());
            rlimit.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, limit.hard());
            MemorySegment slot = LibC.errnoSlot();
            if (LibC.setrlimit(slot, RLIMIT_MEMLOCK, rlimit) != 0) {
                int errno = LibC.errno(slot);
                throw NativeErrors.failure(
                        "setrlimit(RLIMIT_MEMLOCK, " + limit + ")",
                        errno,
                        errno == NativeErrors.EPERM ? "raising the hard limit needs CAP_SYS_RESOURCE (or root)" : null);
            }
        }
    }

    /**
     * The C library's description of an error number ({@code strerror}).
     *
     * @param errno an error number
     * @return the text, never null
     */
    public static String strerror(int errno) {
        return LibC.strerror(errno);
    }

    /**
     * The {@code MAP_HUGE_*} bits selecting a huge page size for {@link #MAP_HUGETLB}.
     *
     * @param hugePageSize a power of two, e.g. {@code 2 MiB} or {@code 1 GiB}
     * @return {@code log2(size) << MAP_HUGE_SHIFT}
     * @throws IllegalArgumentException if not a power of two larger than the base page
     */
    public static int hugePageSizeFlag(long hugePageSize) {
        if (hugePageSize <= PAGE_SIZE || Long.bitCount(hugePageSize) != 1) {
            throw new IllegalArgumentException(
                    "hugePageSize=" + hugePageSize + " must be a power of two > the page size " + PAGE_SIZE);
        }
        return Long.numberOfTrailingZeros(hugePageSize) << MAP_HUGE_SHIFT;
    }

    private static long queryPageSize() {
        MemorySegment slot = LibC.errnoSlot();
        long size = LibC.sysconf(slot, SC_PAGESIZE);
        if (size <= 0 || Long.bitCount(size) != 1) {
            throw new ExceptionInInitializerError(
                    "sysconf(_SC_PAGESIZE) returned " + size + ", errno=" + LibC.errno(slot));
        }
        return size;
    }
}
