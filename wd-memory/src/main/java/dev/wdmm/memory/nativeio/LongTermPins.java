package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds memory in place for as long as a device may use its physical addresses: a real long-term
 * pin taken by the kernel ({@code FOLL_LONGTERM}), through io_uring fixed-buffer registration.
 *
 * <p><b>Why not {@code mlock}:</b> {@code mlock} keeps pages resident, not in place. Compaction,
 * huge page allocation, memory offlining and a {@code fork()} followed by writes all move mlocked
 * pages to new frames, and a physical address read before that then points at memory that belongs
 * to someone else. A page pinned with {@code FOLL_LONGTERM} cannot be migrated: those operations
 * fail or skip it. The pin itself may move a page once, out of {@code ZONE_MOVABLE} or CMA, so
 * physical addresses must be read <em>after</em> {@link #pin}.
 *
 * <p><b>How:</b> each instance owns disabled io_uring instances ({@code IORING_SETUP_R_DISABLED},
 * never mapped, never used for I/O), each with a sparse table of 16,384 fixed-buffer slots; a
 * {@link #pin} fills one slot per 1 GiB of the range ({@code IORING_REGISTER_BUFFERS_UPDATE}),
 * {@link #unpin} empties them, and a new ring is created when every slot is in use.
 *
 * <p><b>Costs:</b> pinned memory cannot be compacted, migrated or unplugged, and the memory
 * blocks it sits in cannot be offlined; pin large chunks rather than scattered small pages. The
 * kernel charges pins to the user's {@code RLIMIT_MEMLOCK} unless the process has
 * {@code CAP_IPC_LOCK} when the ring is created. Registration costs tens of microseconds per MiB
 * of 4 KiB pages and a few per MiB of 2 MiB pages.
 *
 * <p><b>Order:</b> pin, then read physical addresses; unpin only after the last IOVA of the range
 * is gone, and before {@code munmap} ({@code munmap} does not unpin: the frames would stay held).
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once (pin and unpin
 * are serialized per instance). <b>Failures:</b> {@link #open} throws
 * {@link IllegalStateException} with {@link #unavailabilityCause()} where io_uring pinning is
 * refused; {@link #pin} throws {@link WdNativeException} when the kernel refuses (the memlock fix
 * is named), and pins nothing then.
 */
public final class LongTermPins implements AutoCloseable {
    /** How pages are held in place, as doctor and availability reports say it. */
    public static final String METHOD = "long-term pin (FOLL_LONGTERM) through io_uring fixed-buffer registration";

    private static final AtomicLong PROCESS_PINNED = new AtomicLong();

    private final String owner;
    private final List<PinRing> rings = new ArrayList<>();
    private long pinnedBytes;
    private int pins;
    private boolean closed;

    /**
     * A pinned range: what {@link #pin} returns and {@link #unpin} takes back. Opaque; the
     * address and length are for messages.
     */
    public static final class Pin {
        private final LongTermPins pins;
        private final long address;
        private final long length;
        private final int[] slots;
        private boolean released;

        private Pin(LongTermPins pins, long address, long length, int[] slots) {
            this.pins = pins;
            this.address = address;
            this.length = length;
            this.slots = slots;
        }

        /**
         * The start of the pinned range.
         *
         * @return the first pinned address
         */
        public long address() {
            return address;
        }

        /**
         * The size of the pinned range.
         *
         * @return the pinned length in bytes
         */
        public long length() {
            return length;
        }

        @Override
        public String toString() {
            return "Pin[va=" + hex(address) + ", length=" + length + (released ? ", released" : "") + "]";
        }
    }

    private LongTermPins(String owner) {
        this.owner = owner;
    }

    /**
     * Why pages cannot be pinned in this process, probed once (a disabled ring is created, one
     * page pinned and unpinned) and cached: {@code kernel.io_uring_disabled}, a seccomp profile
     * refusing io_uring, a kernel without sparse buffer tables, or no memlock budget.
     *
     * @return empty when pinning works, otherwise the reason with the fix
     */
    public static Optional<String> unavailabilityCause() {
        return Probe.CAUSE;
    }

    /**
     * What holds memory in place here, for doctor: whether pinning works (and why not), and the
     * kernel settings and budget around it.
     *
     * @param available whether {@link #open} succeeds in this process
     * @param method {@link #METHOD}
     * @param reason why pinning is unavailable (with the fix), or {@code ""}
     * @param facts {@code kernel.io_uring_disabled}, {@code vm.compact_unevictable_allowed}, the
     *     memlock budget pins are charged to, and the bytes this process holds pinned
     */
    public record Report(boolean available, String method, String reason, List<String> facts) {
        /** Checks for nulls and copies the facts. */
        public Report {
            Objects.requireNonNull(method, "method is null");
            Objects.requireNonNull(reason, "reason is null");
            facts = List.copyOf(facts);
        }
    }

    /**
     * The pinning report of this process (probes once, then reads a few procfs files). Never throws.
     *
     * @return the report
     */
    public static Report report() {
        Optional<String> cause = unavailabilityCause();
        List<String> facts = new ArrayList<>();
        facts.add("kernel.io_uring_disabled=" + sysctl("kernel/io_uring_disabled")
                + " (0: io_uring for every process, 1: only for kernel.io_uring_group, 2: for nobody)");
        facts.add("vm.compact_unevictable_allowed=" + sysctl("vm/compact_unevictable_allowed")
                + " (1: compaction moves mlocked pages; pinned pages are never moved either way)");
        facts.add(memlockBudget());
        facts.add("pinned by this process now: " + PROCESS_PINNED.get() + " bytes");
        return new Report(cause.isEmpty(), METHOD, cause.orElse(""), facts);
    }

    /**
     * Whether the kernel charges pins of this process to {@code RLIMIT_MEMLOCK}: true unless the
     * process has {@code CAP_IPC_LOCK}.
     *
     * @return true when pins count against the memlock limit
     */
    public static boolean chargedToMemlock() {
        return !Capabilities.effective(Capabilities.CAP_IPC_LOCK);
    }

    private static String memlockBudget() {
        if (!chargedToMemlock()) {
            return "memlock budget for pins: unlimited (CAP_IPC_LOCK: pins are not charged to RLIMIT_MEMLOCK)";
        }
        try {
            return "memlock budget for pins: RLIMIT_MEMLOCK " + NativeMemory.memlockLimit()
                    + " shared by every process of this user (no CAP_IPC_LOCK); raise it with `ulimit -l` or grant"
                    + " CAP_IPC_LOCK";
        } catch (RuntimeException | LinkageError e) {
            return "memlock budget for pins: unknown (" + e + ")";
        }
    }

    private static String sysctl(String name) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys", name))
                    .trim();
        } catch (java.io.IOException | RuntimeException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /**
     * Opens an empty set of pins; no ring is created until the first {@link #pin}.
     *
     * @param owner who holds the pins, for messages (e.g. {@code "noiommu bridge"})
     * @return the pins; {@link #close()} releases every pin still held
     * @throws NullPointerException if {@code owner} is null
     * @throws IllegalStateException if pinning is unavailable; the message is
     *     {@link #unavailabilityCause()}
     */
    public static LongTermPins open(String owner) {
        Objects.requireNonNull(owner, "owner is null");
        Optional<String> cause = unavailabilityCause();
        if (cause.isPresent()) {
            throw new IllegalStateException(owner + " cannot hold memory in place: " + cause.get());
        }
        return new LongTermPins(owner);
    }

    /**
     * Bytes pinned now by every instance in this process.
     *
     * @return bytes
     */
    public static long processPinnedBytes() {
        return PROCESS_PINNED.get();
    }

    /**
     * Pins every page of {@code range}: the kernel faults them in (writable) and will not migrate
     * them until {@link #unpin}. Read physical addresses after this call.
     *
     * @param range mapped, writable native memory, {@code byteSize() > 0}
     * @return the pin, to hand back to {@link #unpin}
     * @throws NullPointerException if {@code range} is null
     * @throws IllegalArgumentException if the range is empty, heap memory or wraps
     * @throws IllegalStateException after {@link #close()}
     * @throws WdNativeException if the kernel refuses (e.g. {@code ENOMEM}: the memlock budget is
     *     spent, fix named; {@code EFAULT}: not mapped); nothing stays pinned then
     */
    public synchronized Pin pin(MemorySegment range) {
        WdArguments.requireRange(range, range == null ? 1 : range.byteSize());
        checkOpen("pin");
        long address = range.address();
        long length = range.byteSize();
        int pieces = (int) ((length + PinRing.MAX_BUFFER - 1) / PinRing.MAX_BUFFER);
        int[] slots = new int[pieces];
        int done = 0;
        try {
            for (; done < pieces; done++) {
                long offset = (long) done * PinRing.MAX_BUFFER;
                slots[done] = pinPiece(address + offset, Math.min(PinRing.MAX_BUFFER, length - offset));
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < done; i++) {
                unpinPiece(slots[i]);
            }
            throw e;
        }
        pinnedBytes += length;
        pins++;
        PROCESS_PINNED.addAndGet(length);
        return new Pin(this, address, length, slots);
    }

    /**
     * Unpins a range pinned by this instance. The caller guarantees that no device still uses an
     * address inside it.
     *
     * @param pin what {@link #pin} returned
     * @throws NullPointerException if {@code pin} is null
     * @throws IllegalArgumentException if {@code pin} is from another instance or already unpinned
     * @throws IllegalStateException after {@link #close()} (close unpinned it already)
     */
    public synchronized void unpin(Pin pin) {
        Objects.requireNonNull(pin, "pin is null");
        checkOpen("unpin");
        if (pin.pins != this || pin.released) {
            throw new IllegalArgumentException(
                    pin + " must be a live pin of " + this + (pin.released ? " (already unpinned)" : " (foreign)"));
        }
        pin.released = true;
        for (int slot : pin.slots) {
            unpinPiece(slot);
        }
        pinnedBytes -= pin.length;
        pins--;
        PROCESS_PINNED.addAndGet(-pin.length);
    }

    /**
     * Bytes pinned by this instance now.
     *
     * @return bytes
     */
    public synchronized long pinnedBytes() {
        return pinnedBytes;
    }

    /**
     * Unpins everything still pinned and closes the rings. Idempotent. The caller unmaps the
     * memory only after this (or after {@link #unpin}).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PinRing ring : rings) {
            ring.close();
        }
        rings.clear();
        PROCESS_PINNED.addAndGet(-pinnedBytes);
        pinnedBytes = 0;
        pins = 0;
    }

    @Override
    public synchronized String toString() {
        return "LongTermPins[owner=" + owner + ", pins=" + pins + ", pinnedBytes=" + pinnedBytes + ", rings="
                + rings.size() + (closed ? ", closed" : "") + "]";
    }

    /** Pins one piece of at most 1 GiB; returns {@code ring << 14 | slot}. */
    private int pinPiece(long address, long length) {
        int index = ringWithFreeSlot();
        return index * PinRing.SLOTS + rings.get(index).pin(address, length);
    }

    private void unpinPiece(int encoded) {
        rings.get(encoded / PinRing.SLOTS).unpin(encoded % PinRing.SLOTS);
    }

    private int ringWithFreeSlot() {
        for (int i = 0; i < rings.size(); i++) {
            if (rings.get(i).hasFreeSlot()) {
                return i;
            }
        }
        rings.add(PinRing.open());
        return rings.size() - 1;
    }

    private void checkOpen(String operation) {
        if (closed) {
            throw new IllegalStateException("pins of " + owner + " are closed: " + operation + " refused");
        }
    }

    /** The one probe per process behind {@link #unavailabilityCause()}. */
    private static final class Probe {
        static final Optional<String> CAUSE = probe();

        private static Optional<String> probe() {
            MemorySegment page;
            try {
                page = NativeMemory.mmap(
                        NativeMemory.pageSize(),
                        NativeMemory.PROT_READ | NativeMemory.PROT_WRITE,
                        NativeMemory.MAP_PRIVATE);
            } catch (RuntimeException | LinkageError e) {
                return Optional.of("native memory calls failed: " + e);
            }
            LongTermPins pins = new LongTermPins("probe");
            try {
                pins.unpin(pins.pin(page));
                return Optional.empty();
            } catch (WdNativeException e) {
                return Optional.of("the kernel refused an io_uring fixed-buffer pin: " + e.getMessage());
            } catch (RuntimeException | LinkageError e) {
                return Optional.of("io_uring pinning failed: " + e);
            } finally {
                pins.close();
                NativeMemory.munmap(page);
            }
        }
    }
}
