package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;

/** The {@link StripedAllocator}'s refusals, built on error paths only; {@code owner} names the allocator. */
final class Refusals {
    private Refusals() {}

    static WdOwnershipException interior(long address, long start, long size, String owner) {
        return new WdOwnershipException(
                address,
                Reason.INTERIOR,
                "va=" + hex(address) + " is interior to allocation va=" + hex(start) + " size=" + size + " (offset="
                        + (address - start) + ") of this " + owner + "; free takes the start address");
    }

    static WdOwnershipException freedAgain(long address, String owner) {
        return new WdOwnershipException(
                address, Reason.ALREADY_FREED, "va=" + hex(address) + " was already freed by this " + owner);
    }

    static WdOwnershipException pastEnd(long address, long size, long start, long end, String owner) {
        return new WdOwnershipException(
                address,
                Reason.FOREIGN,
                "va=" + hex(address) + " size=" + size + " runs past the end of allocation va=" + hex(start) + " size="
                        + (end - start) + " of this " + owner
                        + ": a range must end within its allocation, which ends at va=" + hex(end) + " ("
                        + (end - address) + " bytes from va)");
    }

    static WdOwnershipException freeSlot(long address, long slotStart, long slotSize, String owner) {
        return new WdOwnershipException(
                address,
                Reason.ALREADY_FREED,
                "va=" + hex(address) + " is in a free slot (va=" + hex(slotStart) + " size=" + slotSize + ") of this "
                        + owner + ": already freed or never allocated");
    }

    static WdOwnershipException freedRun(long address, String owner) {
        return new WdOwnershipException(
                address,
                Reason.ALREADY_FREED,
                "va=" + hex(address) + " is in an allocation of this " + owner + " that was already freed");
    }

    /** Not in a chunk held now: already freed if it lies in one given back lately ({@code chunk != -1}), else foreign. */
    static WdOwnershipException notHeld(long address, long chunk, String owner) {
        if (chunk != -1) {
            // e.g. the loser of two racing frees of a run, or of a slot whose emptied chunk went back
            return new WdOwnershipException(
                    address,
                    Reason.ALREADY_FREED,
                    "va=" + hex(address) + " lies in a chunk va=" + hex(chunk) + " this " + owner
                            + " gave back lately: already freed (or never allocated)");
        }
        return new WdOwnershipException(
                address, Reason.FOREIGN, "va=" + hex(address) + " is not memory of this " + owner);
    }

    /**
     * A refusal seen while another thread closed the allocator (its chunks released under the
     * call) is reported as the close, not as an ownership mistake.
     */
    static RuntimeException closedOr(
            boolean closed, WdOwnershipException refused, String operation, long address, String owner) {
        if (!closed) {
            return refused;
        }
        WdClosedException e = new WdClosedException(owner + " is closed: " + operation + "(va=" + hex(address)
                + ") refused (closed by another thread during the call)");
        e.addSuppressed(refused);
        return e;
    }
}
