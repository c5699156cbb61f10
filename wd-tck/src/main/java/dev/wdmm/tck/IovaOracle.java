package dev.wdmm.tck;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * An independent answer to "which IOVA must the device be given for the byte at this address?",
 * found without asking the bridge under test: the kernel's page table for physical addresses
 * ({@link #pagemap()}), the address itself under SVA ({@link #identity()}), the offset in a mapped
 * file or device window plus the window's IOVA base ({@link #fileWindow}), or a table the test
 * keeps of what the (real or stand-in) IOMMU was told ({@link #of}). The kit checks every IOVA a
 * bridge, a queue or a region source hands out, and every {@link dev.wdmm.api.WdContiguity} claim,
 * against it ({@link #verify}): a backend whose IOVAs are wrong but consistent passes every other
 * rule and fails here.
 *
 * <p><b>Thread-safety:</b> implementations must be safe to call from several threads at once.
 */
public interface IovaOracle {

    /**
     * Why an oracle cannot check here, and the fix.
     *
     * @param reason what is missing, with the values read
     * @param fix how to provide it
     */
    record Unavailable(String reason, String fix) {
        /** Checks that both are given. */
        public Unavailable {
            Objects.requireNonNull(reason, "reason is null");
            Objects.requireNonNull(fix, "fix is null");
        }
    }

    /**
     * A short name for messages ({@code "pagemap"}, {@code "identity"}).
     *
     * @return the name
     */
    String name();

    /**
     * Whether the oracle can answer on this machine; tests that need it are skipped loudly otherwise.
     *
     * @return empty if usable, else the reason and the fix
     */
    default Optional<Unavailable> unavailability() {
        return Optional.empty();
    }

    /**
     * The IOVA the device must be given for the byte at {@code address}.
     *
     * @param address a virtual address inside memory the bridge handed out
     * @return the IOVA of that byte
     * @throws AssertionError if the oracle knows that no IOVA can be right for the address (not
     *     mapped from the window, not present in memory), with the address in hexadecimal
     */
    long iovaOf(long address);

    /**
     * The unit within which the oracle's mapping is linear (a base page); {@link #verify} samples
     * each unit of a range once.
     *
     * @return a power of two, 4096 unless overridden
     */
    default long granule() {
        return 4096;
    }

    /**
     * Checks a claim "the device reaches {@code [address, address + length)} at
     * {@code [iova, iova + length)}": the first and last byte and the start of every {@link #granule()}
     * in between (at most 4096 of them, evenly spread, for very long ranges) must have the IOVA the
     * oracle gives. This checks the address and the contiguity of the range at once.
     *
     * @param what what made the claim, for the message ({@code "iovaMap"}, {@code "contiguousLength"})
     * @param address the first byte's virtual address
     * @param length bytes, {@code > 0}
     * @param iova the IOVA claimed for the first byte
     * @throws AssertionError naming the claim, the first byte that disagrees (hexadecimal), the
     *     IOVA claimed for it and the oracle's
     */
    default void verify(String what, long address, long length, long iova) {
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " must be > 0");
        }
        long granule = granule();
        long units = (length + granule - 1) / granule + 1;
        long stride = Math.max(1, units / 4096) * granule;
        long firstBoundary = (address + granule) & -granule;
        verifyByte(what, address, length, iova, address);
        for (long byteAt = firstBoundary; byteAt - address < length; byteAt += stride) {
            verifyByte(what, address, length, iova, byteAt);
        }
        verifyByte(what, address, length, iova, address + length - 1);
    }

    private void verifyByte(String what, long address, long length, long iova, long byteAt) {
        long claimed = iova + (byteAt - address);
        long expected = iovaOf(byteAt);
        if (claimed != expected) {
            throw new AssertionError(what + " va=" + Hex.of(address) + " length=" + length + " iova=" + Hex.of(iova)
                    + ": the byte at va=" + Hex.of(byteAt) + " (offset " + Hex.of(byteAt - address) + ") would be"
                    + " reached at iova=" + Hex.of(claimed) + " but the " + name() + " oracle says iova="
                    + Hex.of(expected) + (byteAt == address ? "" : " (the range is not IOVA-contiguous there)"));
        }
    }

    /**
     * SVA: the device uses the process's own virtual addresses, so the IOVA is the address.
     *
     * @return the identity oracle
     */
    static IovaOracle identity() {
        return of("identity", address -> address);
    }

    /**
     * Physical addresses (no IOMMU, or an IOMMU in identity/passthrough mode): the page frame
     * number of each 4 KiB page read from {@code /proc/self/pagemap} by the kit itself (JDK only,
     * the file opened per question). Frame numbers are visible only with {@code CAP_SYS_ADMIN}:
     * without it the oracle is {@linkplain #unavailability() unavailable} and the tests that need it
     * skip loudly. A page that is not present has no physical address, and is reported as an
     * {@link AssertionError}: an IOVA handed out for memory that is not held in place is wrong.
     *
     * @return the pagemap oracle
     */
    static IovaOracle pagemap() {
        return new PagemapOracle();
    }

    /**
     * A fixed window: the bridge's memory is mapped from a file or device node ({@code mmap} of
     * {@code file}), and the device reaches the byte at file offset {@code o} at
     * {@code iovaBase + o}. The offset of each address is read from {@code /proc/self/maps} by the
     * kit itself; an address not mapped from {@code file} fails the check.
     *
     * @param file the file or device node the memory is mapped from (compared by its real path)
     * @param iovaBase the IOVA of file offset 0
     * @return the window oracle
     */
    static IovaOracle fileWindow(Path file, long iovaBase) {
        return new FileWindowOracle(file, iovaBase);
    }

    /**
     * An oracle from a function, e.g. a table of what a stand-in IOMMU was told to map, kept by the
     * test rather than by the bridge.
     *
     * @param name the name for messages
     * @param iovaOf the IOVA of the byte at an address; may throw {@link AssertionError} for an
     *     address it knows nothing of
     * @return the oracle
     */
    static IovaOracle of(String name, LongUnaryOperator iovaOf) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(iovaOf, "iovaOf is null");
        return new IovaOracle() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long iovaOf(long address) {
                return iovaOf.applyAsLong(address);
            }
        };
    }

    /**
     * No independent oracle: every test that needs one is skipped loudly with this reason. For a
     * bridge whose IOVAs nothing outside it can confirm yet; prefer any real oracle.
     *
     * @param reason why there is none
     * @param fix what would give one
     * @return an oracle that is always unavailable
     */
    static IovaOracle none(String reason, String fix) {
        Unavailable why = new Unavailable(reason, fix);
        return new IovaOracle() {
            @Override
            public String name() {
                return "none";
            }

            @Override
            public Optional<Unavailable> unavailability() {
                return Optional.of(why);
            }

            @Override
            public long iovaOf(long address) {
                throw new IllegalStateException("no IOVA oracle: " + why.reason());
            }
        };
    }
}
