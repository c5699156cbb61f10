package dev.wdmm.memory.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AllocationRegistryTest {
    private final AllocationRegistry<String> registry = new AllocationRegistry<>("test bridge");

    @Test
    void findReturnsTheContainingAllocation() {
        registry.register(0x1000, 0x1000, "a");
        registry.register(0x3000, 0x100, "b");
        assertEquals("a", registry.find(0x1800, 0x800).attachment());
        assertEquals("b", registry.find(0x3000, 0x100).attachment());
    }

    @Test
    void rangeRunningPastTheEndIsRefused() {
        registry.register(0x1000, 0x1000, "a");
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> registry.find(0x1800, 0x801));
        assertEquals(Reason.FOREIGN, e.reason());
    }

    @Test
    void interiorFreeIsRefusedAndChangesNothing() {
        registry.register(0x1000, 0x1000, "a");
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> registry.remove(0x1001));
        assertEquals(Reason.INTERIOR, e.reason());
        assertEquals(1, registry.size());
    }

    @Test
    void doubleFreeSaysAlreadyFreed() {
        registry.register(0x1000, 0x1000, "a");
        registry.remove(0x1000);
        WdOwnershipException e = assertThrows(WdOwnershipException.class, () -> registry.remove(0x1000));
        assertEquals(Reason.ALREADY_FREED, e.reason());
    }

    @Test
    void foreignFreeSaysForeign() {
        assertEquals(
                Reason.FOREIGN,
                assertThrows(WdOwnershipException.class, () -> registry.remove(0x5000))
                        .reason());
    }

    @Test
    void overlappingRegistrationIsABug() {
        registry.register(0x1000, 0x1000, "a");
        assertThrows(IllegalStateException.class, () -> registry.register(0x1800, 0x1000, "b"));
        assertThrows(IllegalStateException.class, () -> registry.register(0x800, 0x801, "c"));
        registry.register(0x800, 0x800, "d");
        assertEquals(2, registry.size());
    }

    @Test
    void concurrentDoubleFreeSucceedsExactlyOnce() {
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            registry.register(0x10_0000L + i * 0x100L, 0x100, "x");
        }
        AtomicInteger wins = new AtomicInteger();
        IntStream.range(0, 2 * n).parallel().forEach(i -> {
            try {
                registry.remove(0x10_0000L + (i % n) * 0x100L);
                wins.incrementAndGet();
            } catch (WdOwnershipException expected) {
                // the other thread won
            }
        });
        assertEquals(n, wins.get());
        assertEquals(0, registry.size());
    }
}
