package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wdmm.api.WdOwnershipException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The bridge contract in checked mode ({@code wd.mm.checked=true}): every rule of
 * {@link WdMmBridgeContractTest} still holds (double, interior and foreign frees reported as in
 * fast mode), and on top: access after {@code free} throws {@link IllegalStateException}, a freed
 * allocation stays refused while quarantined, its memory is not handed out again at once, and
 * closing with freed (quarantined) allocations outstanding releases everything. A backend's test
 * extends this class and opens its bridge with {@code wd.mm.checked=true}.
 */
public abstract class CheckedBridgeContractTest extends WdMmBridgeContractTest {

    /** For subclasses: a backend's checked-mode contract test. */
    protected CheckedBridgeContractTest() {}

    /**
     * The largest size the bridge serves from one allocation in these tests.
     *
     * @return bytes; 64 KiB unless a fixed-block bridge serves less
     */
    protected long largest() {
        return 65_536;
    }

    @Test
    void accessAfterFreeThrowsIllegalStateException() {
        for (long size : new long[] {64, 4096, largest()}) {
            MemorySegment segment = bridge.alloc(size);
            segment.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 1);
            bridge.free(segment);
            assertThrows(
                    IllegalStateException.class,
                    () -> segment.get(ValueLayout.JAVA_BYTE, size - 1),
                    "va=" + Hex.of(segment.address()) + " size=" + size);
            assertThrows(
                    IllegalStateException.class,
                    () -> segment.fill((byte) 2),
                    "va=" + Hex.of(segment.address()) + " size=" + size);
            assertFalse(segment.scope().isAlive());
        }
    }

    @Test
    void aFreedAllocationIsRefusedAndNotReusedAtOnce() {
        MemorySegment freed = bridge.alloc(128);
        bridge.free(freed);
        WdOwnershipException again = assertThrows(WdOwnershipException.class, () -> bridge.free(freed));
        assertEquals(WdOwnershipException.Reason.ALREADY_FREED, again.reason(), again.getMessage());
        WdOwnershipException map = assertThrows(WdOwnershipException.class, () -> bridge.iovaMap(freed, 1));
        assertEquals(WdOwnershipException.Reason.ALREADY_FREED, map.reason(), map.getMessage());
        List<MemorySegment> next = new ArrayList<>();
        Set<Long> addresses = new HashSet<>();
        for (int i = 0; i < 16; i++) {
            MemorySegment segment = bridge.alloc(128);
            next.add(segment);
            addresses.add(segment.address());
            assertNotEquals(
                    freed.address(),
                    segment.address(),
                    "a quarantined address va=" + Hex.of(freed.address()) + " was handed out again");
        }
        assertEquals(16, addresses.size());
        next.forEach(bridge::free);
    }

    @Test
    void closeWithFreedAllocationsOutstandingReleasesEverything() {
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            segments.add(bridge.alloc(i % 2 == 0 ? 64 : largest()));
        }
        for (int i = 0; i < segments.size(); i += 2) {
            bridge.free(segments.get(i));
        }
        bridge.close();
        for (MemorySegment segment : segments) {
            assertFalse(segment.scope().isAlive());
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_BYTE, 0));
        }
    }
}
