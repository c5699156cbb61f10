package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdAddressAccess;
import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge contract's fixture and its IOVA rules: every IOVA the bridge hands out, and every
 * {@link WdContiguity} claim, agrees with the {@link IovaOracle} the backend's test names; and one
 * thread's alloc/map/free churn keeps allocations apart, their bytes intact and their IOVAs true
 * (so that a single-thread bug is reported as one, not only by a concurrency test). Part of
 * {@link WdMmBridgeContractTest}, which a backend's test extends; the constructor is package-private
 * so that this part cannot be extended alone.
 */
public abstract class WdMmBridgeIovaRules extends WdMmBridgeContractProperties {
    /** The bridge under test, opened before each JUnit test and closed after it. */
    protected WdMmBridge bridge;

    WdMmBridgeIovaRules() {}

    /**
     * How to check an IOVA without asking the bridge: {@link IovaOracle#pagemap()} for physical
     * addresses, {@link IovaOracle#identity()} under SVA, {@link IovaOracle#fileWindow} for a mapped
     * window with an IOVA base, {@link IovaOracle#of} for a table the test keeps. Called after
     * {@link #newBridge()} in the same test, so it may refer to what that bridge was opened over.
     *
     * @return the oracle
     */
    protected abstract IovaOracle iovaOracle();

    /**
     * The alignment every allocation's address has at least.
     *
     * @return a power of two, 8 unless overridden
     */
    protected long minimumAlignment() {
        return 8;
    }

    @BeforeEach
    void openBridge() {
        bridge = newBridge();
    }

    @AfterEach
    void closeBridge() {
        // null when newBridge() aborted the test with an assumption (e.g. no huge pages reserved)
        if (bridge != null) {
            bridge.close();
        }
    }

    private String test(String method) {
        return getClass().getSimpleName() + "." + method;
    }

    @Test
    void everyIovaAndEveryContiguityClaimAgreesWithTheOracle() {
        IovaOracle oracle = iovaOracle();
        Skip.unlessUsable(test("everyIovaAndEveryContiguityClaimAgreesWithTheOracle"), oracle);
        long largest = bridge.bufferSize().orElse(3L << 20);
        List<MemorySegment> segments = new ArrayList<>();
        for (long size : new long[] {1, 64, 100, 4096, 3 * 4096 + 100, 65_536, 3L << 20}) {
            segments.add(bridge.alloc(Math.min(size, largest)));
        }
        for (MemorySegment segment : segments) {
            verifyPieces(oracle, segment);
            long size = segment.byteSize();
            for (long offset : new long[] {size / 3, size / 2 + 1, size - 1}) {
                verifyPieces(oracle, segment.asSlice(offset));
            }
        }
        WdAddressAccess addresses = bridge.unwrap(WdAddressAccess.class).orElse(null);
        if (addresses != null) {
            MemorySegment first = segments.get(3);
            long length = contiguous(first);
            oracle.verify("iovaMapAddress", first.address(), length, addresses.iovaMapAddress(first.address(), length));
        }
        segments.forEach(bridge::free);
    }

    /**
     * Maps {@code range} piece by piece (each as long as the bridge's contiguity claim, or the whole
     * range without {@link WdContiguity}) and checks every piece with the oracle.
     */
    private void verifyPieces(IovaOracle oracle, MemorySegment range) {
        for (long offset = 0; offset < range.byteSize(); ) {
            MemorySegment rest = range.asSlice(offset);
            long length = contiguous(rest);
            long iova = bridge.iovaMap(rest, length);
            oracle.verify("iovaMap", rest.address(), length, iova);
            bridge.iovaUnmap(rest, iova, length);
            offset += length;
        }
    }

    /** The contiguity claim for the rest of a segment, or all of it when the bridge makes none. */
    private long contiguous(MemorySegment rest) {
        return bridge.unwrap(WdContiguity.class)
                .map(contiguity -> contiguity.contiguousLength(rest, rest.byteSize()))
                .orElse(rest.byteSize());
    }

    @Test
    void oneThreadsAllocMapFreeChurnKeepsAllocationsApartIntactAndTrue() {
        IovaOracle oracle = iovaOracle();
        boolean checkIovas = oracle.unavailability().isEmpty();
        long largest = Math.min(bridge.bufferSize().orElse(1L << 16), 1L << 16);
        SplittableRandom random = new SplittableRandom(0x5eed);
        TreeMap<Long, MemorySegment> live = new TreeMap<>();
        Map<Long, Byte> tags = new java.util.HashMap<>();
        TreeMap<Long, long[]> iovas = new TreeMap<>(); // first IOVA -> {length, va} of each live allocation
        for (int round = 0; round < 2000; round++) {
            if (live.size() >= 32 || (!live.isEmpty() && random.nextInt(3) == 0)) {
                Long victim = live.keySet().stream()
                        .skip(random.nextInt(live.size()))
                        .findFirst()
                        .orElseThrow();
                MemorySegment released = live.remove(victim);
                iovas.values().removeIf(range -> range[1] == victim);
                release(round, released, tags.remove(victim));
                continue;
            }
            long size = 1 + random.nextLong(largest);
            MemorySegment segment = bridge.alloc(size);
            requireApart(round, live, segment);
            byte tag = (byte) (round | 1);
            segment.fill(tag);
            long length = contiguous(segment);
            long iova = bridge.iovaMap(segment, length);
            if (checkIovas) {
                oracle.verify("single-thread churn round=" + round + " iovaMap", segment.address(), length, iova);
            }
            requireIovasApart(round, iovas, segment.address(), iova, length);
            bridge.iovaUnmap(segment, iova, length);
            iovas.put(iova, new long[] {length, segment.address()});
            live.put(segment.address(), segment);
            tags.put(segment.address(), tag);
        }
        live.forEach((address, segment) -> release(-1, segment, tags.get(address)));
    }

    private static void requireApart(int round, TreeMap<Long, MemorySegment> live, MemorySegment segment) {
        long start = segment.address();
        var below = live.floorEntry(start + segment.byteSize() - 1);
        if (below != null && below.getKey() + below.getValue().byteSize() > start) {
            throw new AssertionError("single-thread churn round=" + round + ": alloc gave va=" + Hex.of(start)
                    + " size=" + segment.byteSize() + ", overlapping the live allocation va=" + Hex.of(below.getKey())
                    + " size=" + below.getValue().byteSize() + " (one thread, no race: a bookkeeping bug)");
        }
    }

    /** Two live allocations never share a device address, whatever the mapping. */
    private static void requireIovasApart(int round, TreeMap<Long, long[]> iovas, long va, long iova, long length) {
        var below = iovas.floorEntry(iova + length - 1);
        if (below != null && below.getKey() + below.getValue()[0] > iova) {
            throw new AssertionError("single-thread churn round=" + round + ": va=" + Hex.of(va) + " maps to iova="
                    + Hex.of(iova) + " length=" + length + ", overlapping iova=" + Hex.of(below.getKey()) + " length="
                    + below.getValue()[0] + " of the live allocation va=" + Hex.of(below.getValue()[1])
                    + " (one thread, no race: the device would reach one allocation's bytes through the other's IOVA)");
        }
    }

    private void release(int round, MemorySegment segment, byte tag) {
        for (long i = 0; i < segment.byteSize(); i++) {
            byte value = segment.get(ValueLayout.JAVA_BYTE, i);
            if (value != tag) {
                throw new AssertionError("single-thread churn round=" + round + ": allocation va="
                        + Hex.of(segment.address()) + " size=" + segment.byteSize() + " holds " + value + " at offset "
                        + Hex.of(i) + " instead of its pattern " + tag
                        + " (one thread, no race: memory handed out twice or touched by the bridge)");
            }
        }
        bridge.free(segment);
    }

    @Test
    void theOracleItselfAgreesWithItselfOnOneAllocation() {
        IovaOracle oracle = iovaOracle();
        Skip.unlessUsable(test("theOracleItselfAgreesWithItselfOnOneAllocation"), oracle);
        MemorySegment segment = bridge.alloc(64);
        long iova = bridge.iovaMap(segment, 64);
        assertEquals(
                oracle.iovaOf(segment.address()),
                iova,
                () -> "iovaMap va=" + Hex.of(segment.address()) + " gave iova=" + Hex.of(iova) + ", the "
                        + oracle.name() + " oracle says " + Hex.of(oracle.iovaOf(segment.address())));
        assertTrue(oracle.granule() > 0 && Long.bitCount(oracle.granule()) == 1, "granule=" + oracle.granule());
        bridge.free(segment);
    }
}
