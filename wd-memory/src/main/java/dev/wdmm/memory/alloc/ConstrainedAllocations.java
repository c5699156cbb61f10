package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdAllocRequest;
import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdConstrainedAlloc;
import dev.wdmm.api.WdConstraintException;
import dev.wdmm.api.WdConstraintException.Constraint;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link WdConstrainedAlloc} for any bridge, by allocating candidates and checking their device
 * addresses: what a backend's bridge delegates to.
 *
 * <p>A candidate is an ordinary allocation of {@code max(size, alignment)} bytes, which on a
 * {@link ChunkAllocator} lands aligned to its power-of-two size class (so to the alignment, and
 * inside one boundary block, in virtual addresses) or, above the largest class, on a chunk
 * boundary. Its IOVAs are then read through the bridge itself ({@link WdMmBridge#iovaMap}, and
 * {@link WdContiguity} for memory that is not IOVA-contiguous): the first byte's IOVA against the
 * alignment and the boundary, the length of the first IOVA-contiguous range against
 * {@code contiguous}, and every contiguous piece's last IOVA against the DMA mask. A candidate
 * that fails is kept aside (so the next one is other memory) and another is tried, at most
 * {@value #MAX_ATTEMPTS} candidates or {@value #MAX_HELD_MIB} MiB held; when none fits, every
 * candidate is freed and a {@link WdConstraintException} says which constraint failed and the best
 * the machine offered. Zeroing fills the kept allocation with zeros.
 *
 * <p>Thread-safe as the bridge is; allocates Java objects (not a hot path).
 */
public final class ConstrainedAllocations {
    /** Most candidates tried per request. */
    public static final int MAX_ATTEMPTS = 16;

    /** Most MiB of rejected candidates held at once while looking. */
    public static final long MAX_HELD_MIB = 32;

    private ConstrainedAllocations() {}

    /**
     * The capability for {@code bridge}.
     *
     * @param bridge the bridge whose allocations are constrained; its {@code free}, {@code iovaMap},
     *     {@code iovaUnmap} and (if offered) {@link WdContiguity} are used
     * @param maxAlignment the largest alignment the bridge can give in virtual addresses (its chunk
     *     size): a power of two
     * @param backend the backend's name, for messages
     * @return the capability
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code maxAlignment} is not a power of two
     */
    public static WdConstrainedAlloc over(WdMmBridge bridge, long maxAlignment, String backend) {
        return over(bridge, maxAlignment, backend, null);
    }

    /**
     * As {@link #over(WdMmBridge, long, String)}, with the backend's own fix for a DMA mask it
     * cannot meet (e.g. the option that moves its IOVA space).
     *
     * @param bridge the bridge
     * @param maxAlignment the largest alignment, a power of two
     * @param backend the backend's name, for messages
     * @param maskFix the fix named when {@code MAX_IOVA} is refused, or null for the general one
     * @return the capability
     * @throws NullPointerException if {@code bridge} or {@code backend} is null
     * @throws IllegalArgumentException if {@code maxAlignment} is not a power of two
     */
    public static WdConstrainedAlloc over(WdMmBridge bridge, long maxAlignment, String backend, String maskFix) {
        Objects.requireNonNull(bridge, "bridge is null");
        Objects.requireNonNull(backend, "backend is null");
        if (maxAlignment < 1 || Long.bitCount(maxAlignment) != 1) {
            throw new IllegalArgumentException("maxAlignment=" + maxAlignment + " must be a power of two");
        }
        return request -> alloc(bridge, maxAlignment, backend, maskFix, request);
    }

    private static MemorySegment alloc(
            WdMmBridge bridge, long maxAlignment, String backend, String maskFix, WdAllocRequest request) {
        Objects.requireNonNull(request, "request is null");
        if (request.alignment() > maxAlignment) {
            throw new IllegalArgumentException("alignment=" + request.alignment() + " must be <= " + maxAlignment
                    + " (the largest alignment backend=" + backend + " gives)");
        }
        long ask = Math.max(request.size(), request.alignment());
        WdContiguity contiguity = bridge.unwrap(WdContiguity.class).orElse(null);
        Findings findings = new Findings();
        List<MemorySegment> rejected = new ArrayList<>();
        long held = 0;
        try {
            while (findings.attempts < MAX_ATTEMPTS && held <= MAX_HELD_MIB << 20) {
                MemorySegment candidate;
                try {
                    candidate = bridge.alloc(ask);
                } catch (WdAllocationException e) {
                    if (rejected.isEmpty()) {
                        throw e;
                    }
                    findings.exhausted = e.getMessage();
                    break;
                }
                findings.attempts++;
                MemorySegment memory = candidate.asSlice(0, request.size());
                Constraint failed;
                try {
                    failed = check(bridge, contiguity, memory, request, findings);
                } catch (RuntimeException e) {
                    bridge.free(candidate);
                    throw e;
                }
                if (failed == null) {
                    if (request.zeroed()) {
                        memory.fill((byte) 0);
                    }
                    return memory;
                }
                findings.note(failed);
                rejected.add(candidate);
                held += ask;
            }
        } finally {
            for (MemorySegment candidate : rejected) {
                bridge.free(candidate);
            }
        }
        throw findings.refusal(request, backend, maskFix);
    }

    /** The first constraint {@code memory} breaks, or null; records what it offered. */
    private static Constraint check(
            WdMmBridge bridge, WdContiguity contiguity, MemorySegment memory, WdAllocRequest request, Findings f) {
        long size = request.size();
        long first = contiguity == null ? size : contiguity.contiguousLength(memory, size);
        f.longestContiguous = Math.max(f.longestContiguous, first);
        long iova = map(bridge, memory, first);
        Constraint failed = null;
        if (request.contiguous() && first < size) {
            failed = Constraint.CONTIGUOUS;
        }
        f.identity &= iova == memory.address();
        long both = iova | memory.address();
        f.bestAlignment = Math.max(f.bestAlignment, both == 0 ? 1L << 62 : Long.lowestOneBit(both));
        if (failed == null && ((iova | memory.address()) & (request.alignment() - 1)) != 0) {
            failed = Constraint.ALIGNMENT;
        }
        if (failed == null && !request.insideBoundary(iova)) {
            failed = Constraint.BOUNDARY;
        }
        long highest = iova + first - 1;
        boolean below = request.belowMaxIova(iova, first);
        for (long done = first; done < size; ) {
            MemorySegment rest = memory.asSlice(done);
            long length = contiguity.contiguousLength(rest, size - done);
            long pieceIova = map(bridge, rest, length);
            below &= request.belowMaxIova(pieceIova, length);
            highest = Long.compareUnsigned(pieceIova + length - 1, highest) > 0 ? pieceIova + length - 1 : highest;
            done += length;
        }
        if (Long.compareUnsigned(highest, f.lowestHighest) < 0) {
            f.lowestHighest = highest;
        }
        if (failed == null && !below) {
            failed = Constraint.MAX_IOVA;
        }
        return failed;
    }

    private static long map(WdMmBridge bridge, MemorySegment memory, long length) {
        long iova = bridge.iovaMap(memory, length);
        bridge.iovaUnmap(memory, iova, length);
        return iova;
    }

    /** What the candidates offered, for the refusal. */
    private static final class Findings {
        int attempts;
        long longestContiguous;
        long bestAlignment;
        boolean identity = true;
        long lowestHighest = -1L;
        final int[] failures = new int[Constraint.values().length];
        String exhausted;

        void note(Constraint constraint) {
            failures[constraint.ordinal()]++;
        }

        WdConstraintException refusal(WdAllocRequest request, String backend, String maskFix) {
            Constraint worst = Constraint.CONTIGUOUS;
            for (Constraint c : Constraint.values()) {
                if (failures[c.ordinal()] > failures[worst.ordinal()]) {
                    worst = c;
                }
            }
            long offered = switch (worst) {
                case CONTIGUOUS -> longestContiguous;
                case MAX_IOVA -> lowestHighest;
                case ALIGNMENT -> bestAlignment;
                case BOUNDARY -> 0;
            };
            StringBuilder message = new StringBuilder("constrained alloc refused: ")
                    .append(request)
                    .append(" backend=")
                    .append(backend)
                    .append(": ")
                    .append(worst)
                    .append(" not met by any of attempts=")
                    .append(attempts)
                    .append(" candidates (");
            for (Constraint c : Constraint.values()) {
                if (failures[c.ordinal()] > 0) {
                    message.append(c).append('=').append(failures[c.ordinal()]).append(' ');
                }
            }
            message.setLength(message.length() - 1);
            message.append(")");
            message.append(
                    switch (worst) {
                        case CONTIGUOUS ->
                            "; longest IOVA-contiguous range found=" + longestContiguous
                                    + " bytes; fix: ask for at most that much, use huge pages (backend=hugepage: each"
                                    + " huge page is contiguous), or describe the memory with an SGL";
                        case MAX_IOVA ->
                            "; lowest last-byte IOVA found=" + hex(lowestHighest)
                                    + (maskFix != null
                                            ? "; fix: " + maskFix
                                            : identity
                                                    ? "; fix: IOVAs here are virtual addresses, high in user space: use a"
                                                            + " physical-address backend, or vfio with IOVAs below the mask"
                                                    : "; fix: the memory this backend got lies above the device's reach:"
                                                            + " reserve huge pages while low memory is free (hugepages= at"
                                                            + " boot), or use vfio with IOVAs below the mask");
                        case ALIGNMENT ->
                            "; largest alignment found=" + offered
                                    + "; fix: alignment above the page size needs huge pages (backend=hugepage)";
                        case BOUNDARY ->
                            "; fix: align the request to the boundary (withAlignment(boundary) keeps a"
                                    + " contiguous range inside one boundary block)";
                    });
            if (exhausted != null) {
                message.append("; the search stopped because memory ran out: ").append(exhausted);
            }
            message.append("; nothing was kept");
            return new WdConstraintException(request, worst, offered, message.toString());
        }
    }
}
