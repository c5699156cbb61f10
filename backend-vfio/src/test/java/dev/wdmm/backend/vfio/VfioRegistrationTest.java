package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdRegistration;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.memory.testing.RegistrationContract;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * Registration and IOVA → VA on the VFIO bridge over the type1 v2 rules in place of the ioctls
 * ({@link RuleContainer}); the oracle is the mapping the stand-in kernel recorded. The rig's vIOMMU
 * guest proves the real ioctls by DMA.
 */
class VfioRegistrationTest extends RegistrationContract {
    private RuleContainer container;

    @Override
    protected WdMmBridge newBridge() {
        container = new RuleContainer();
        return VfioBridge.over(container, IovaAllocator.over(RuleContainer.X86.ranges(), 1L << 32, 1L << 39));
    }

    @Override
    protected long oracleIova(long va) {
        return container.kernel.iovaOf(va); // throws AssertionError for an address in no mapping
    }

    @Test
    void registerIsOneMapDmaAndTheLastUnregisterOneUnmap() {
        MemorySegment memory = external(3L << 20);
        int maps = container.kernel.maps;
        int unmaps = container.kernel.unmaps;
        WdRegistration r = registration();
        r.register(memory);
        r.register(memory);
        assertEquals(maps + 1, container.kernel.maps);
        long iova = oracleIova(memory.address());
        assertEquals(0, iova % (2L << 20), "2 MiB-aligned IOVA for a registration of 2 MiB or more");
        assertEquals(memory.address(), container.kernel.vaddrAt(iova));
        r.unregister(memory);
        assertEquals(unmaps, container.kernel.unmaps);
        r.unregister(memory);
        assertEquals(unmaps + 1, container.kernel.unmaps);
        assertEquals(-1, container.kernel.vaddrAt(iova));
    }

    @Test
    void closeUnmapsEveryRegistrationFromTheContainer() {
        registration().register(external(8192));
        registration().register(external(4096));
        bridge.close();
        assertEquals(0, container.kernel.live());
        assertTrue(container.closed);
    }

    @Test
    void vaModeRefusesMemoryOutsideTheUsableRangesNamingThem() {
        try (WdMmBridge va = VfioBridge.over(new RuleContainer(), null)) {
            MemorySegment memory = external(4096); // user addresses lie above the 39-bit width
            WdRegistrationException e = assertThrows(
                    WdRegistrationException.class,
                    () -> va.unwrap(WdRegistration.class).orElseThrow().register(memory));
            assertEquals(WdRegistrationException.Reason.CANNOT_HOLD, e.reason());
            assertTrue(e.getMessage().contains("wd.mm.vfio.iova.mode=allocated"), e.getMessage());
        }
    }
}
