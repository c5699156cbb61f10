package dev.wdmm.memory.alloc;

import static dev.wdmm.spi.WdArguments.hex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outstanding {@code iovaMap}s of one allocation, in one {@code long} beside the allocation's
 * size record, so that an {@code iovaUnmap} that undoes no map is refused: one never mapped,
 * unmapped twice, or with another offset or size than its map ({@code map(64)} then
 * {@code unmap(63)}).
 *
 * <p><b>The record:</b> the low 32 bits count the maps not yet unmapped; the high 32 bits hold the
 * sum (mod 2^32) of a 32-bit fingerprint of each one's {@code (offset, size)}. A map adds its
 * fingerprint and 1 with one atomic add (no lock, no loop, no object); an unmap subtracts them with
 * a compare-and-set after checking: the count must be {@code > 0}, and when exactly one map is
 * outstanding the fingerprint sum must be that unmap's own. So while at most one map of an
 * allocation is outstanding (the common case: map, hand to the device, unmap) every wrong unmap is
 * refused at once; with several outstanding, a wrong one is refused when it would take the count
 * below zero, else detected when the last outstanding map is unmapped (the sum then disagrees; the
 * chance that a wrong sequence agrees is 2^-32). The record is reset when the allocation is made;
 * a free drops its outstanding maps. A count beyond 2^32 - 1 outstanding maps of one allocation
 * (never unmapped) wraps into the fingerprint; only unmaps of that allocation are affected.
 *
 * <p>Thread-safe: records are read and written with atomic access only.
 */
public final class MapRecords {
    private static final VarHandle RECORDS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long COUNT = 0xFFFF_FFFFL;

    private MapRecords() {}

    /**
     * Records one map of {@code [start + offset, start + offset + size)} of an allocation.
     *
     * @param records the records array
     * @param index the allocation's record
     * @param offset the range's offset from the allocation's start
     * @param size the range's bytes
     */
    public static void map(long[] records, int index, long offset, long size) {
        RECORDS.getAndAdd(records, index, step(offset, size));
    }

    /**
     * Undoes one map of exactly {@code (offset, size)} of an allocation, or refuses.
     *
     * @param records the records array
     * @param index the allocation's record
     * @param start the allocation's start address (for the message)
     * @param offset the range's offset from the allocation's start
     * @param size the range's bytes
     * @param owner names the allocator or bridge (for the message)
     * @throws IllegalArgumentException if no map is outstanding, or the one outstanding map is of
     *     another range; nothing changes
     */
    public static void unmap(long[] records, int index, long start, long offset, long size, String owner) {
        long step = step(offset, size);
        while (true) {
            long record = (long) RECORDS.getVolatile(records, index);
            long count = record & COUNT;
            if (count == 0 || (count == 1 && record != step)) {
                throw refused(start, offset, size, count, owner);
            }
            if (RECORDS.compareAndSet(records, index, record, record - step)) {
                return;
            }
        }
    }

    /**
     * Maps not yet unmapped of an allocation (wraps after 2^32 - 1).
     *
     * @param records the records array
     * @param index the allocation's record
     * @return the count
     */
    public static long outstanding(long[] records, int index) {
        return (long) RECORDS.getVolatile(records, index) & COUNT;
    }

    /** The fingerprint of {@code (offset, size)} in the high half, and a count of 1 in the low half. */
    private static long step(long offset, long size) {
        long mix = offset * 0x9E37_79B9_7F4A_7C15L ^ size * 0xC2B2_AE3D_27D4_EB4FL;
        mix ^= mix >>> 29;
        mix *= 0xBF58_476D_1CE4_E5B9L;
        return (mix & ~COUNT) | 1;
    }

    private static IllegalArgumentException refused(long start, long offset, long size, long count, String owner) {
        String range = "va=" + hex(start + offset) + " size=" + size;
        return new IllegalArgumentException(
                count == 0
                        ? range + " has no outstanding iovaMap in allocation va=" + hex(start) + " of this " + owner
                                + " (never mapped, or already unmapped): an unmap must undo a map of exactly that"
                                + " range"
                        : range + " does not match the one outstanding iovaMap of allocation va=" + hex(start)
                                + " of this " + owner + ": an unmap must undo a map of exactly that range (same va"
                                + " and size)");
    }
}
