package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.nativeio.Pagemap;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * {@link ExternalHolder#pinned}: one long-term pin per registration, frames read from pagemap after
 * pinning. The pins are opened on the first registration, so a bridge that never registers opens
 * no ring. Thread-safe (the allocator serializes hold and release; close is synchronized too).
 */
final class PinnedHolder implements ExternalHolder {
    private static final int PAGE_SHIFT = 12;

    private final String owner;
    private final Pagemap pagemap;
    private LongTermPins pins;

    PinnedHolder(String owner, Pagemap pagemap) {
        this.owner = Objects.requireNonNull(owner, "owner is null");
        this.pagemap = Objects.requireNonNull(pagemap, "pagemap is null");
    }

    @Override
    public synchronized ChunkMemory hold(MemorySegment segment) {
        LongTermPins.Pin pin = pin(segment);
        try {
            long[] frames = new long[(int) (segment.byteSize() >>> PAGE_SHIFT)];
            pagemap.frameNumbers(segment.address(), frames);
            return new FrameMemory(segment, pin, frames);
        } catch (RuntimeException e) {
            pins.unpin(pin);
            throw refused(segment, "its frame numbers cannot be read from pagemap after pinning", e);
        }
    }

    private LongTermPins.Pin pin(MemorySegment segment) {
        try {
            if (pins == null) {
                pins = LongTermPins.open(owner + " registrations");
            }
            return pins.pin(segment);
        } catch (IllegalStateException unavailable) {
            throw refused(segment, "pinning is unavailable here", unavailable);
        } catch (WdNativeException e) {
            throw refused(
                    segment,
                    "the kernel refused to pin it (a file mapping other than tmpfs, memfd or hugetlbfs cannot"
                            + " take a long-term pin; read-only memory neither; the memlock budget may be spent)",
                    e);
        }
    }

    private WdRegistrationException refused(MemorySegment segment, String why, RuntimeException cause) {
        return new WdRegistrationException(
                segment.address(),
                WdRegistrationException.Reason.CANNOT_HOLD,
                "va=" + hex(segment.address()) + " size=" + segment.byteSize() + " cannot be registered with this "
                        + owner + ": its device addresses are physical, so its pages must be held in place by a"
                        + " long-term pin, and " + why + ": " + cause.getMessage(),
                cause);
    }

    @Override
    public synchronized void release(ChunkMemory held) {
        try {
            pins.unpin(((FrameMemory) held).pin());
        } catch (IllegalStateException closed) {
            // close() closed the pins first, which unpinned everything
        }
    }

    @Override
    public String holding() {
        return "one long-term pin (FOLL_LONGTERM) per registration, frames read from pagemap after pinning";
    }

    @Override
    public synchronized void close() {
        if (pins != null) {
            pins.close();
        }
    }
}
