package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMappingException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The reliability campaign for one bridge: {@value #DEFAULT_OPERATIONS} random operations (more with
 * {@code -Dwd.campaign.operations=N}), valid and invalid arguments mixed, each checked against a
 * model of what must be live, with the bytes of every live allocation checked against the pattern
 * written into it (so an overlap, a double hand-out or a write through a stale mapping shows). The
 * seed is printed and can be replayed with {@code -Dwd.campaign.seed=S}. A backend's test extends
 * this class and implements {@link #newBridge()}.
 */
public abstract class WdMmBridgeCampaign {
    /** Operations per run unless {@code wd.campaign.operations} says otherwise. */
    public static final int DEFAULT_OPERATIONS = 100_000;

    private static final int MAX_LIVE = 256;
    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED;

    /** What the campaign does, counted for the report line. */
    enum Kind {
        ALLOC,
        ALLOC_BAD_SIZE,
        FREE,
        FREE_AGAIN,
        FREE_INTERIOR,
        FREE_FOREIGN,
        MAP,
        MAP_PAST_END,
        MAP_FREED,
        UNMAP,
        UNMAP_WRONG_IOVA,
        UNMAP_NEVER_MAPPED,
        UNMAP_TWICE,
        UNMAP_SHORTER,
        VERIFY_ALL
    }

    /** A live allocation and its maps not yet unmapped, each {@code {offset, size, iova}}. */
    private record Live(MemorySegment segment, long tag, long iova, List<long[]> maps) {
        long start() {
            return segment.address();
        }

        long size() {
            return segment.byteSize();
        }
    }

    /** For subclasses: a backend's campaign. */
    protected WdMmBridgeCampaign() {}

    /**
     * Opens a new, independent bridge of the backend under test.
     *
     * @return the bridge
     */
    protected abstract WdMmBridge newBridge();

    /**
     * The largest size the campaign allocates (sizes are spread log-uniformly from 1 byte).
     *
     * @param bridge the bridge the campaign runs against
     * @return bytes; by default 1 MiB, or the bridge's {@code bufferSize()} where it has one
     */
    protected long maxSize(WdMmBridge bridge) {
        return bridge.bufferSize().orElse(1L << 20);
    }

    @Test
    void randomOperationsAgreeWithTheModel() {
        long seed = Long.getLong("wd.campaign.seed", new SplittableRandom().nextLong());
        int operations = Integer.getInteger("wd.campaign.operations", DEFAULT_OPERATIONS);
        SplittableRandom random = new SplittableRandom(seed);
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        TreeMap<Long, Live> live = new TreeMap<>();
        java.util.ArrayDeque<Long> freed = new java.util.ArrayDeque<>();
        String name = getClass().getSimpleName();
        WdMmBridge bridge = newBridge();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(4096, 64);
            long maxSize = maxSize(bridge);
            for (int op = 0; op < operations; op++) {
                Kind kind = choose(random, live.size());
                try {
                    step(kind, bridge, random, live, freed, foreign, maxSize);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(
                            name + ": operation " + op + " (" + kind + ") disagreed with the model;"
                                    + " replay with -Dwd.campaign.seed=" + seed + " -Dwd.campaign.operations="
                                    + (op + 1),
                            e);
                }
                counts.merge(kind, 1, Integer::sum);
            }
            verifyAll(live);
            for (Live allocation : live.values()) {
                bridge.free(allocation.segment());
            }
        } finally {
            bridge.close();
        }
        assertThrows(WdClosedException.class, () -> bridge.alloc(64));
        System.out.println(
                "campaign " + name + ": " + operations + " operations, 0 disagreements, seed=" + seed + ", " + counts);
    }

    private static Kind choose(SplittableRandom random, int live) {
        if (live == 0) {
            return random.nextInt(10) == 0 ? Kind.ALLOC_BAD_SIZE : Kind.ALLOC;
        }
        int roll = random.nextInt(100);
        if (roll < (live < MAX_LIVE ? 30 : 5)) {
            return Kind.ALLOC;
        }
        Kind[] others = Kind.values();
        return others[1 + random.nextInt(others.length - 1)];
    }

    @SuppressWarnings("restricted") // ranges over the campaign's own live allocations, and past their ends on purpose
    private void step(
            Kind kind,
            WdMmBridge bridge,
            SplittableRandom random,
            TreeMap<Long, Live> live,
            java.util.ArrayDeque<Long> freed,
            MemorySegment foreign,
            long maxSize) {
        switch (kind) {
            case ALLOC -> alloc(bridge, random, live, freed, maxSize);
            case ALLOC_BAD_SIZE -> {
                long size = random.nextBoolean() ? -random.nextLong(1, Long.MAX_VALUE) : 0;
                assertThrows(IllegalArgumentException.class, () -> bridge.alloc(size));
            }
            case FREE -> {
                Live allocation = pick(random, live);
                verify(allocation);
                bridge.free(allocation.segment());
                live.remove(allocation.start());
                freed.addLast(allocation.start());
                if (freed.size() > 64) {
                    freed.removeFirst();
                }
            }
            case FREE_AGAIN -> {
                Long address = stale(freed, live);
                if (address != null) {
                    // refused, whatever the reason: the address may lie in the slot of a newer allocation
                    // (past its size), which the chunk allocator calls interior
                    assertThrows(WdOwnershipException.class, () -> bridge.free(MemorySegment.ofAddress(address)));
                }
            }
            case FREE_INTERIOR -> {
                Live allocation = pick(random, live);
                if (allocation.size() > 1) {
                    long offset = 1 + random.nextLong(allocation.size() - 1);
                    WdOwnershipException e = assertThrows(
                            WdOwnershipException.class,
                            () -> bridge.free(MemorySegment.ofAddress(allocation.start() + offset)));
                    assertEquals(WdOwnershipException.Reason.INTERIOR, e.reason(), e.getMessage());
                }
            }
            case FREE_FOREIGN -> {
                WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> bridge.free(foreign));
                assertEquals(WdOwnershipException.Reason.FOREIGN, e.reason(), e.getMessage());
            }
            case MAP -> {
                Live allocation = pick(random, live);
                long offset = random.nextLong(allocation.size());
                long size = 1 + random.nextLong(allocation.size() - offset);
                try {
                    long iova = bridge.iovaMap(allocation.segment().asSlice(offset, size), size);
                    allocation.maps().add(new long[] {offset, size, iova});
                    assertEquals(iova, mapAndUnmap(bridge, allocation, offset, 1), "stable, linear");
                } catch (WdMappingException notContiguous) {
                    assertTrue(
                            notContiguous.breakOffset() > 0 && notContiguous.breakOffset() < size,
                            notContiguous.toString());
                }
                assertEquals(
                        allocation.iova(), mapAndUnmap(bridge, allocation, 0, 1), "the start's IOVA never changes");
            }
            case MAP_PAST_END -> {
                Live allocation = pick(random, live);
                MemorySegment wide = allocation.segment().reinterpret(allocation.size() + 1 + random.nextInt(4096));
                assertThrows(IllegalArgumentException.class, () -> bridge.iovaMap(wide, wide.byteSize()));
            }
            case MAP_FREED -> {
                Long address = stale(freed, live);
                if (address != null) {
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> bridge.iovaMap(
                                    MemorySegment.ofAddress(address).reinterpret(1), 1));
                }
            }
            case UNMAP -> {
                Live allocation = pick(random, live);
                if (allocation.maps().isEmpty()) {
                    mapAndUnmap(bridge, allocation, random.nextLong(allocation.size()), 1);
                } else {
                    long[] map = allocation
                            .maps()
                            .remove(random.nextInt(allocation.maps().size()));
                    bridge.iovaUnmap(allocation.segment().asSlice(map[0], map[1]), map[2], map[1]);
                }
            }
            case UNMAP_NEVER_MAPPED -> {
                Live allocation = unmapAll(bridge, pick(random, live));
                long offset = random.nextLong(allocation.size());
                long size = 1 + random.nextLong(allocation.size() - offset);
                long iova = mapAndUnmap(bridge, allocation, offset, 1);
                assertThrows(
                        IllegalArgumentException.class,
                        () -> bridge.iovaUnmap(allocation.segment().asSlice(offset, size), iova, size));
            }
            case UNMAP_TWICE -> {
                Live allocation = unmapAll(bridge, pick(random, live));
                long offset = random.nextLong(allocation.size());
                long iova = mapAndUnmap(bridge, allocation, offset, 1);
                assertThrows(
                        IllegalArgumentException.class,
                        () -> bridge.iovaUnmap(allocation.segment().asSlice(offset, 1), iova, 1));
            }
            case UNMAP_SHORTER -> {
                Live allocation = unmapAll(bridge, pick(random, live));
                if (allocation.size() > 1) {
                    long size = 2 + random.nextLong(Math.min(allocation.size(), 4096) - 1);
                    MemorySegment range = allocation.segment().asSlice(0, size);
                    long iova = bridge.iovaMap(range, size);
                    assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(range, iova, size - 1));
                    bridge.iovaUnmap(range, iova, size);
                }
            }
            case UNMAP_WRONG_IOVA -> {
                Live allocation = pick(random, live);
                long wrong = allocation.iova() + 1 + random.nextInt(1 << 20);
                assertThrows(
                        IllegalArgumentException.class,
                        () -> bridge.iovaUnmap(allocation.segment().asSlice(0, 1), wrong, 1));
            }
            case VERIFY_ALL -> verifyAll(live);
        }
    }

    private static void alloc(
            WdMmBridge bridge,
            SplittableRandom random,
            TreeMap<Long, Live> live,
            java.util.ArrayDeque<Long> freed,
            long maxSize) {
        long size = Math.max(1, Math.min(maxSize, 1L << random.nextInt(64 - Long.numberOfLeadingZeros(maxSize))));
        size = Math.max(1, size - random.nextLong(size));
        MemorySegment segment;
        try {
            segment = bridge.alloc(size);
        } catch (WdAllocationException exhausted) {
            return; // a bounded backend may run out; nothing must have changed (the next verify checks)
        }
        assertEquals(size, segment.byteSize());
        assertTrue(segment.isNative());
        long start = segment.address();
        var before = live.floorEntry(start + size - 1);
        if (before != null && before.getValue().start() + before.getValue().size() > start) {
            fail("alloc va=0x" + Long.toHexString(start) + " size=" + size + " overlaps live allocation va=0x"
                    + Long.toHexString(before.getValue().start()) + " size="
                    + before.getValue().size());
        }
        long tag = random.nextLong();
        fill(segment, tag);
        long iova = bridge.iovaMap(segment, 1);
        bridge.iovaUnmap(segment, iova, 1);
        live.put(start, new Live(segment, tag, iova, new ArrayList<>()));
        freed.remove(start);
    }

    /** Maps {@code [offset, offset + size)} of an allocation and unmaps it again; returns the IOVA. */
    private static long mapAndUnmap(WdMmBridge bridge, Live allocation, long offset, long size) {
        MemorySegment range = allocation.segment().asSlice(offset, size);
        long iova = bridge.iovaMap(range, size);
        bridge.iovaUnmap(range, iova, size);
        return iova;
    }

    /** Unmaps every outstanding map of an allocation (so that any further unmap must be refused). */
    private static Live unmapAll(WdMmBridge bridge, Live allocation) {
        for (long[] map : allocation.maps()) {
            bridge.iovaUnmap(allocation.segment().asSlice(map[0], map[1]), map[2], map[1]);
        }
        allocation.maps().clear();
        return allocation;
    }

    /** A recently freed start address that no live allocation covers now, or null. */
    private static Long stale(java.util.ArrayDeque<Long> freed, TreeMap<Long, Live> live) {
        for (Long address : freed) {
            var covering = live.floorEntry(address);
            if (covering == null
                    || address >= covering.getKey() + covering.getValue().size()) {
                return address;
            }
        }
        return null;
    }

    private static Live pick(SplittableRandom random, TreeMap<Long, Live> live) {
        List<Long> keys = new ArrayList<>(live.keySet());
        return live.get(keys.get(random.nextInt(keys.size())));
    }

    /**
     * Writes the allocation's pattern: every byte of a small one, the first, middle and last
     * words of one of 24 bytes or more (so that its ends, in whole, are covered).
     */
    private static void fill(MemorySegment segment, long tag) {
        long size = segment.byteSize();
        if (size < 24) {
            for (long i = 0; i < size; i++) {
                segment.set(ValueLayout.JAVA_BYTE, i, small(tag, i));
            }
        } else {
            segment.set(WORD, 0, tag);
            segment.set(WORD, (size / 2) & ~7L, tag ^ size);
            segment.set(WORD, size - 8, ~tag);
        }
    }

    private static byte small(long tag, long i) {
        return (byte) ((tag >>> (8 * (i & 7))) ^ i);
    }

    private static void verify(Live allocation) {
        MemorySegment segment = allocation.segment();
        long size = segment.byteSize();
        long tag = allocation.tag();
        boolean intact = true;
        if (size < 24) {
            for (long i = 0; i < size; i++) {
                intact &= segment.get(ValueLayout.JAVA_BYTE, i) == small(tag, i);
            }
        } else {
            intact = segment.get(WORD, 0) == tag
                    && segment.get(WORD, (size / 2) & ~7L) == (tag ^ size)
                    && segment.get(WORD, size - 8) == ~tag;
        }
        assertTrue(
                intact,
                "the bytes of live allocation va=0x" + Long.toHexString(allocation.start()) + " size=" + size
                        + " changed: another allocation or a stale mapping wrote into them");
    }

    private static void verifyAll(TreeMap<Long, Live> live) {
        live.values().forEach(WdMmBridgeCampaign::verify);
    }
}
