package dev.wdmm.memory.table;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdMappingException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * VA → IOVA for registered regions, in the style of SPDK's two-level {@code spdk_mem_map}: a
 * top-level array indexed by the high bits of the address holds lazily created leaf arrays of
 * {@code long}, one entry per translation granule (a power of two, 4 KiB – 1 GiB; 2 MiB for huge
 * pages). Each entry is the IOVA of its granule's first byte, or {@link #NOT_MAPPED}.
 *
 * <p><b>Lookups</b> ({@link #lookup}, {@link #translate(long)}, {@link #translate(long, long)},
 * {@link #contiguousLength}) are O(1) per granule for <em>any</em> address inside a registered
 * region (interior addresses included), make no system call, take no lock and allocate nothing
 * unless they throw. They may run concurrently with writers: a lookup sees each granule either
 * before or after a concurrent write, never a torn value (leaves and entries are published with
 * release/acquire).
 *
 * <p><b>Writes</b> ({@link #register}, {@link #unregister}) are serialized on the table. Regions
 * are granule-aligned in VA and length; a region must not overlap a registered one. Virtual
 * addresses at or above {@code 2^vaBits} cannot be registered (48 bits by default: x86-64 and
 * arm64 user space).
 *
 * <p>Memory: the top array holds {@code 2^(vaBits - 30)} references (2 MiB for 48 bits); each
 * leaf covers 1 GiB of address space (or one granule when the granule is 1 GiB) and costs
 * {@code 8 * 2^(30 - granuleShift)} bytes (4 KiB for 2 MiB granules, 2 MiB for 4 KiB granules).
 * Leaves are kept once created, even if their regions are unregistered.
 */
public final class TranslationTable {
    /** What {@link #lookup} returns for an address in no registered region. Never a valid IOVA. */
    public static final long NOT_MAPPED = -1L;
    /** The default translation granule: 2 MiB, the x86-64 huge page. */
    public static final long DEFAULT_GRANULE = 2L << 20;
    /** The default number of virtual-address bits: 48. */
    public static final int DEFAULT_VA_BITS = 48;

    private static final int LEAF_SPAN_SHIFT = 30;
    private static final VarHandle LEAVES = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(long[].class);

    private final int granuleShift;
    private final long granule;
    private final long granuleMask;
    private final int leafShift;
    private final int leafMask;
    private final int vaBits;
    private final long[][] leaves;
    /** Registered regions by start VA, unsigned order; guarded by {@code this}. */
    private final TreeMap<Long, long[]> regions = new TreeMap<>(Long::compareUnsigned);

    private TranslationTable(int granuleShift, int vaBits) {
        this.granuleShift = granuleShift;
        this.granule = 1L << granuleShift;
        this.granuleMask = granule - 1;
        int spanShift = Math.max(LEAF_SPAN_SHIFT, granuleShift);
        this.leafShift = spanShift - granuleShift;
        this.leafMask = (1 << leafShift) - 1;
        this.vaBits = vaBits;
        this.leaves = new long[1 << (vaBits - spanShift)][];
    }

    /**
     * Creates an empty table with 2 MiB granules over 48-bit virtual addresses.
     *
     * @return the table
     */
    public static TranslationTable create() {
        return create(DEFAULT_GRANULE, DEFAULT_VA_BITS);
    }

    /**
     * Creates an empty table.
     *
     * @param granule translation granule in bytes: a power of two, {@code 4 KiB <= granule <= 1 GiB}
     * @param vaBits virtual-address bits covered, {@code 32 <= vaBits <= 52}
     * @return the table
     * @throws IllegalArgumentException naming the bad value and the rule
     */
    public static TranslationTable create(long granule, int vaBits) {
        if (granule < 4096 || granule > (1L << 30) || Long.bitCount(granule) != 1) {
            throw new IllegalArgumentException("granule=" + granule + " must be a power of two in [4096, 1073741824]");
        }
        if (vaBits < 32 || vaBits > 52) {
            throw new IllegalArgumentException("vaBits=" + vaBits + " must be in [32, 52]");
        }
        return new TranslationTable(Long.numberOfTrailingZeros(granule), vaBits);
    }

    /**
     * The translation granule.
     *
     * @return bytes, a power of two
     */
    public long granule() {
        return granule;
    }

    /**
     * Registers {@code [va, va + length)} as reaching the device at {@code [iova, iova + length)}.
     *
     * @param va granule-aligned virtual address, below {@code 2^vaBits}
     * @param iova device address of {@code va}; {@code iova + length} must not wrap
     * @param length bytes, {@code > 0}, a multiple of the granule
     * @throws IllegalArgumentException on a misaligned, empty, wrapping, out-of-range or
     *     overlapping region; the table is unchanged
     */
    public synchronized void register(long va, long iova, long length) {
        checkRegion(va, length);
        if (Long.compareUnsigned(iova + length, iova) < 0) {
            throw new IllegalArgumentException("iova=" + hex(iova) + " length=" + length + " wraps the address space");
        }
        Map.Entry<Long, long[]> below = regions.floorEntry(va + length - 1);
        if (below != null && Long.compareUnsigned(below.getKey() + below.getValue()[1], va) > 0) {
            throw new IllegalArgumentException("va=" + hex(va) + " length=" + length + " overlaps registered region va="
                    + hex(below.getKey()) + " length=" + below.getValue()[1]);
        }
        regions.put(va, new long[] {iova, length});
        for (long off = 0; off < length; off += granule) {
            long[] leaf = leafForWrite((va + off) >>> granuleShift);
            ENTRIES.setRelease(leaf, (int) (((va + off) >>> granuleShift) & leafMask), iova + off);
        }
    }

    /**
     * Removes the region that starts at {@code va}; its addresses translate to nothing afterwards.
     *
     * @param va the start of a registered region
     * @return the region's length in bytes
     * @throws IllegalArgumentException if no registered region starts at {@code va}; unchanged
     */
    public synchronized long unregister(long va) {
        long[] region = regions.remove(va);
        if (region == null) {
            throw new IllegalArgumentException("va=" + hex(va) + " is not the start of a registered region");
        }
        for (long off = 0; off < region[1]; off += granule) {
            long[] leaf = leaves[(int) ((va + off) >>> (granuleShift + leafShift))];
            ENTRIES.setRelease(leaf, (int) (((va + off) >>> granuleShift) & leafMask), NOT_MAPPED);
        }
        return region[1];
    }

    /**
     * The IOVA of one byte, or {@link #NOT_MAPPED}. Lock-free, allocation-free, O(1).
     *
     * @param va any address
     * @return the device address of {@code va}, or {@link #NOT_MAPPED} if no region holds it
     */
    public long lookup(long va) {
        long base = granuleIova(va);
        return base == NOT_MAPPED ? NOT_MAPPED : base + (va & granuleMask);
    }

    /**
     * The IOVA of one byte.
     *
     * @param va an address inside a registered region
     * @return its device address
     * @throws WdMappingException if no registered region holds {@code va} (breakOffset -1)
     */
    public long translate(long va) {
        long iova = lookup(va);
        if (iova == NOT_MAPPED) {
            throw new WdMappingException(va, 1, -1, "va=" + hex(va) + " is in no registered region");
        }
        return iova;
    }

    /**
     * The IOVA of {@code [va, va + size)}, valid for the whole range: every granule the range
     * touches is registered and IOVA-adjacent to the one before it. O(granules touched).
     *
     * @param va start of the range
     * @param size bytes, {@code > 0}
     * @return the device address of {@code va}
     * @throws IllegalArgumentException if {@code size <= 0} or the range wraps
     * @throws WdMappingException if the range is not wholly registered ({@code breakOffset} is
     *     where registered memory stops, or -1 if {@code va} itself is not registered), or crosses
     *     a boundary between granules that are not IOVA-adjacent ({@code breakOffset} is the
     *     offset of that boundary from {@code va})
     */
    public long translate(long va, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size=" + size + " must be > 0");
        }
        if (Long.compareUnsigned(va + size, va) < 0) {
            throw new IllegalArgumentException("va=" + hex(va) + " size=" + size + " wraps the address space");
        }
        long iova = lookup(va);
        if (iova == NOT_MAPPED) {
            throw new WdMappingException(
                    va, size, -1, "va=" + hex(va) + " size=" + size + " starts in no registered region");
        }
        long reach = contiguousLength(va, size);
        if (reach < size) {
            long next = va + reach;
            String why = granuleIova(next) == NOT_MAPPED
                    ? " runs out of registered memory at va=" + hex(next)
                    : " is not IOVA-contiguous at va=" + hex(next) + " (iova=" + hex(lookup(next)) + ", expected "
                            + hex(iova + reach) + ")";
            throw new WdMappingException(
                    va,
                    size,
                    reach,
                    "va=" + hex(va) + " size=" + size + why + " breakOffset=" + reach
                            + "; split the range there or use a scatter-gather list");
        }
        return iova;
    }

    /**
     * How many bytes from {@code va} on (at most {@code limit}) are registered and IOVA-contiguous.
     * Lock-free and allocation-free; O(granules covered).
     *
     * @param va any address
     * @param limit the most to report, {@code >= 0}
     * @return bytes in {@code [0, limit]}; 0 if {@code va} is in no registered region
     */
    public long contiguousLength(long va, long limit) {
        long iova = granuleIova(va);
        if (iova == NOT_MAPPED || limit <= 0) {
            return 0;
        }
        long reach = granule - (va & granuleMask);
        while (reach < limit) {
            long next = granuleIova(va + reach);
            if (next == NOT_MAPPED || next != iova + granule) {
                break;
            }
            iova = next;
            reach += granule;
        }
        return Math.min(reach, limit);
    }

    /**
     * Number of registered regions.
     *
     * @return the count
     */
    public synchronized int regionCount() {
        return regions.size();
    }

    private long granuleIova(long va) {
        long page = va >>> granuleShift;
        long top = page >>> leafShift;
        if (top >= leaves.length) {
            return NOT_MAPPED;
        }
        long[] leaf = (long[]) LEAVES.getAcquire(leaves, (int) top);
        if (leaf == null) {
            return NOT_MAPPED;
        }
        return (long) ENTRIES.getAcquire(leaf, (int) (page & leafMask));
    }

    private long[] leafForWrite(long page) {
        int top = (int) (page >>> leafShift);
        long[] leaf = leaves[top];
        if (leaf == null) {
            leaf = new long[1 << leafShift];
            Arrays.fill(leaf, NOT_MAPPED);
            LEAVES.setRelease(leaves, top, leaf);
        }
        return leaf;
    }

    private void checkRegion(long va, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length=" + length + " must be > 0");
        }
        if ((va & granuleMask) != 0) {
            throw new IllegalArgumentException("va=" + hex(va) + " must be aligned to granule=" + granule);
        }
        if ((length & granuleMask) != 0) {
            throw new IllegalArgumentException("length=" + length + " must be a multiple of granule=" + granule);
        }
        long limit = 1L << vaBits;
        if (Long.compareUnsigned(va, limit) >= 0 || Long.compareUnsigned(length, limit - va) > 0) {
            throw new IllegalArgumentException(
                    "va=" + hex(va) + " length=" + length + " must lie below 2^" + vaBits + "=" + hex(limit));
        }
    }
}
