package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * One io_uring instance used only as a table of fixed buffers: created disabled
 * ({@code IORING_SETUP_R_DISABLED}, one entry, never mapped, never submitted to), with a sparse
 * table of {@value #SLOTS} buffer slots ({@code IORING_REGISTER_BUFFERS2} with
 * {@code IORING_RSRC_REGISTER_SPARSE}). Filling a slot ({@code IORING_REGISTER_BUFFERS_UPDATE})
 * makes the kernel pin the buffer's pages with {@code FOLL_LONGTERM}: from then on migration,
 * compaction and memory offlining leave those pages where they are. Emptying the slot unpins them.
 *
 * <p>Not thread-safe: {@link LongTermPins} serializes every call.
 */
final class PinRing {
    /** Buffer slots per ring: the kernel's {@code IORING_MAX_REG_BUFFERS}. */
    static final int SLOTS = 1 << 14;
    /** Largest buffer one slot takes: the kernel refuses more than 1 GiB. */
    static final long MAX_BUFFER = 1L << 30;

    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_REGISTER = 427;
    private static final int IORING_SETUP_R_DISABLED = 1 << 6;
    private static final int IORING_UNREGISTER_BUFFERS = 1;
    private static final int IORING_REGISTER_BUFFERS2 = 15;
    private static final int IORING_REGISTER_BUFFERS_UPDATE = 16;
    private static final int IORING_RSRC_REGISTER_SPARSE = 1;

    /** {@code struct io_uring_params}: the fields set here by name, the offset structs as opaque bytes. */
    static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("sq_off"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("cq_off"));
    /** {@code struct io_uring_rsrc_register}. */
    static final StructLayout RSRC_REGISTER = MemoryLayout.structLayout(
            JAVA_INT.withName("nr"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("resv2"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("tags"));
    /** {@code struct io_uring_rsrc_update2}. */
    static final StructLayout RSRC_UPDATE2 = MemoryLayout.structLayout(
            JAVA_INT.withName("offset"),
            JAVA_INT.withName("resv"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("tags"),
            JAVA_INT.withName("nr"),
            JAVA_INT.withName("resv2"));
    /** {@code struct iovec}. */
    static final StructLayout IOVEC =
            MemoryLayout.structLayout(JAVA_LONG.withName("iov_base"), JAVA_LONG.withName("iov_len"));

    private static final VarHandle PARAMS_FLAGS = field(PARAMS, "flags");
    private static final VarHandle REGISTER_NR = field(RSRC_REGISTER, "nr");
    private static final VarHandle REGISTER_FLAGS = field(RSRC_REGISTER, "flags");
    private static final VarHandle UPDATE_OFFSET = field(RSRC_UPDATE2, "offset");
    private static final VarHandle UPDATE_DATA = field(RSRC_UPDATE2, "data");
    private static final VarHandle UPDATE_NR = field(RSRC_UPDATE2, "nr");
    private static final VarHandle IOV_BASE = field(IOVEC, "iov_base");
    private static final VarHandle IOV_LEN = field(IOVEC, "iov_len");

    private final int fd;
    private final int[] free = new int[SLOTS];
    private int freeCount;
    private boolean closed;

    private PinRing(int fd) {
        this.fd = fd;
        for (int i = 0; i < SLOTS; i++) {
            free[i] = SLOTS - 1 - i;
        }
        freeCount = SLOTS;
    }

    private static VarHandle field(StructLayout layout, String name) {
        return layout.varHandle(MemoryLayout.PathElement.groupElement(name));
    }

    /**
     * Creates a disabled ring with an empty sparse buffer table.
     *
     * @return the ring; {@link #close()} releases it
     * @throws dev.wdmm.api.WdNativeException if io_uring is refused (errno and fix named)
     */
    static PinRing open() {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(PARAMS);
            PARAMS_FLAGS.set(params, 0L, IORING_SETUP_R_DISABLED);
            MemorySegment slot = LibC.errnoSlot();
            long result = LibC.syscall(slot, SYS_IO_URING_SETUP, 1, params.address(), 0);
            if (result < 0) {
                int errno = LibC.errno(slot);
                throw NativeErrors.failure(
                        "io_uring_setup(entries=1, flags=IORING_SETUP_R_DISABLED)", errno, setupFix(errno));
            }
            fd = (int) result;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment register = arena.allocate(RSRC_REGISTER);
            REGISTER_NR.set(register, 0L, SLOTS);
            REGISTER_FLAGS.set(register, 0L, IORING_RSRC_REGISTER_SPARSE);
            MemorySegment slot = LibC.errnoSlot();
            long result = LibC.syscall(
                    slot,
                    SYS_IO_URING_REGISTER,
                    fd,
                    IORING_REGISTER_BUFFERS2,
                    register.address(),
                    RSRC_REGISTER.byteSize());
            if (result < 0) {
                int errno = LibC.errno(slot);
                LibC.close(LibC.errnoSlot(), fd);
                throw NativeErrors.failure(
                        "io_uring_register(fd=" + fd + ", IORING_REGISTER_BUFFERS2, nr=" + SLOTS
                                + ", flags=IORING_RSRC_REGISTER_SPARSE)",
                        errno,
                        "a kernel with sparse fixed-buffer tables (Linux 5.19 or later)");
            }
        }
        return new PinRing(fd);
    }

    /** Whether a slot is free. */
    boolean hasFreeSlot() {
        return freeCount > 0;
    }

    /** Slots in use. */
    int used() {
        return SLOTS - freeCount;
    }

    /**
     * Pins {@code [address, address + length)} into a free slot.
     *
     * @param address start, page-aligned
     * @param length bytes, {@code 0 < length <= MAX_BUFFER}
     * @return the slot
     * @throws dev.wdmm.api.WdNativeException if the kernel refuses (memlock budget, bad range)
     */
    int pin(long address, long length) {
        int slotIndex = free[--freeCount];
        try {
            update(slotIndex, address, length);
        } catch (RuntimeException e) {
            free[freeCount++] = slotIndex;
            throw e;
        }
        return slotIndex;
    }

    /**
     * Empties a slot filled by {@link #pin}: the kernel unpins its pages.
     *
     * @param slotIndex the slot
     */
    void unpin(int slotIndex) {
        update(slotIndex, 0L, 0L);
        free[freeCount++] = slotIndex;
    }

    /**
     * Closes the ring. Whatever is still registered is unregistered first
     * ({@code IORING_UNREGISTER_BUFFERS}), so it is unpinned when this returns, not later when
     * the kernel tears the ring down in the background. Idempotent.
     */
    void close() {
        if (!closed) {
            closed = true;
            if (freeCount < SLOTS) {
                LibC.syscall(LibC.errnoSlot(), SYS_IO_URING_REGISTER, fd, IORING_UNREGISTER_BUFFERS, 0, 0);
            }
            LibC.close(LibC.errnoSlot(), fd);
        }
    }

    private void update(int slotIndex, long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iovec = arena.allocate(IOVEC);
            IOV_BASE.set(iovec, 0L, address);
            IOV_LEN.set(iovec, 0L, length);
            MemorySegment update = arena.allocate(RSRC_UPDATE2);
            UPDATE_OFFSET.set(update, 0L, slotIndex);
            UPDATE_DATA.set(update, 0L, iovec.address());
            UPDATE_NR.set(update, 0L, 1);
            MemorySegment slot = LibC.errnoSlot();
            long result = LibC.syscall(
                    slot,
                    SYS_IO_URING_REGISTER,
                    fd,
                    IORING_REGISTER_BUFFERS_UPDATE,
                    update.address(),
                    RSRC_UPDATE2.byteSize());
            if (result != 1) {
                int errno = result < 0 ? LibC.errno(slot) : 0;
                throw NativeErrors.failure(
                        "io_uring_register(fd=" + fd + ", IORING_REGISTER_BUFFERS_UPDATE, slot=" + slotIndex
                                + ", iov_base=" + hex(address) + ", iov_len=" + length + ") returned " + result,
                        errno,
                        errno == NativeErrors.ENOMEM
                                ? NativeErrors.memlockFix(NativeMemory.memlockLimit())
                                        + " (pins of io_uring fixed buffers are charged to RLIMIT_MEMLOCK of the user)"
                                : null);
            }
        }
    }

    private static String setupFix(int errno) {
        return switch (errno) {
            case NativeErrors.EPERM ->
                "io_uring is refused to this process: set `sysctl kernel.io_uring_disabled=0`"
                        + " (1 allows only members of kernel.io_uring_group), or allow io_uring_setup in the container's"
                        + " seccomp profile";
            case NativeErrors.ENOSYS ->
                "the kernel lacks io_uring (CONFIG_IO_URING) or a seccomp filter hides it;"
                        + " use a Linux 5.19+ kernel with io_uring, or allow io_uring_setup in the seccomp profile";
            case NativeErrors.EMFILE -> "the process has no file descriptor left: raise `ulimit -n`";
            case NativeErrors.ENOMEM -> NativeErrors.memlockFix(NativeMemory.memlockLimit());
            default -> null;
        };
    }
}
