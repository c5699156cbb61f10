package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdIovaException;
import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdRegistration;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.testing.RegistrationContract;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Registration and IOVA → VA on the sva bridge: identity, so the oracle is the address itself. */
class SvaRegistrationTest extends RegistrationContract {
    @Override
    protected WdMmBridge newBridge() {
        return new SvaBackendProvider().open(WdOptions.empty());
    }

    @Override
    protected long oracleIova(long va) {
        return va;
    }

    @Test
    void registrationIsIdentityAndHoldsNothing() {
        MemorySegment memory = external(4096);
        registration().register(memory);
        assertEquals(memory.address(), bridge.iovaMap(memory.asSlice(17), 100) - 17);
        assertTrue(
                registration().holding().contains("IOVA == virtual address"),
                registration().holding());
    }

    @Test
    void checkedModeRefusesQuarantinedMemoryInTheLookup() {
        try (WdMmBridge checked = new SvaBackendProvider().open(WdOptions.fromText(Map.of("wd.mm.checked", "true")))) {
            WdIovaLookup lookup = checked.unwrap(WdIovaLookup.class).orElseThrow();
            MemorySegment segment = checked.alloc(256);
            long iova = checked.iovaMap(segment.asSlice(8), 8);
            assertEquals(segment.address() + 8, lookup.addressOf(iova));
            checked.free(segment);
            WdIovaException e = assertThrows(WdIovaException.class, () -> lookup.addressOf(iova));
            assertEquals(WdIovaException.Reason.FREED, e.reason());
            assertTrue(e.getMessage().contains("quarantine"), e.getMessage());
            MemorySegment memory = external(4096);
            checked.unwrap(WdRegistration.class).orElseThrow().register(memory);
            assertEquals(memory.address(), checked.iovaMap(memory, 4096));
        }
    }

    @Test
    void theFacadeAndAQueueReachBothCapabilities() {
        try (WdMm mm = WdMm.builder()
                .backend("sva")
                .discovery(Discovery.of(List.of(new SvaBackendProvider())))
                .detector(() -> new Detection(Path.of("/"), IommuMode.SVA, List.of("test"), List.of()))
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .open()) {
            MemorySegment memory = external(8192);
            mm.bridge().unwrap(WdRegistration.class).orElseThrow().register(memory);
            WdQueue queue = mm.openQueue();
            long iova = queue.iovaMap(memory.asSlice(4096), 64);
            WdIovaLookup lookup = WdIovaLookup.of(queue);
            assertEquals(memory.address() + 4096, lookup.addressOf(iova));
            assertEquals(memory.address() + 4096, lookup.segmentOf(iova, 64).address());
            queue.iovaUnmap(memory.asSlice(4096), iova, 64);
            MemorySegment own = mm.bridge().alloc(100);
            assertEquals(own.address(), lookup.addressOf(queue.iovaMap(own, 100)));
            assertThrows(WdIovaException.class, () -> lookup.addressOf(0x2000));
            queue.close();
            assertThrows(dev.wdmm.api.WdClosedException.class, () -> lookup.addressOf(iova));
        }
    }
}
