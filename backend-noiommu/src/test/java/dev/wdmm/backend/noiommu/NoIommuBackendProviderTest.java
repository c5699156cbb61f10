package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NoIommuBackendProviderTest {
    private final NoIommuBackendProvider provider = new NoIommuBackendProvider();

    @Test
    void serviceLoaderFindsTheProvider() {
        assertTrue(ServiceLoader.load(WdBackendProvider.class).stream()
                .anyMatch(p -> p.type() == NoIommuBackendProvider.class));
    }

    @Test
    void describesItself() {
        assertEquals("noiommu", provider.name());
        assertEquals(Set.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH), provider.modes());
        assertEquals(100, provider.priority());
        assertFalse(provider.description().isBlank());
    }

    @Test
    void availabilityFollowsPagemapAndShowsHowPagesAreHeldInPlace() {
        WdAvailability availability = provider.availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        String details = availability.details().toString();
        assertTrue(details.contains("pages held in place by: long-term pin (FOLL_LONGTERM) through io_uring"), details);
        assertTrue(details.contains("pins charged to RLIMIT_MEMLOCK: "), details);
        if (Kernel.pfnsVisible()) {
            assertInstanceOf(WdAvailability.Available.class, availability, availability::toString);
            assertTrue(availability.details().contains("pagemap: PFNs visible (CAP_SYS_ADMIN)"));
        } else {
            var unavailable = assertInstanceOf(WdAvailability.Unavailable.class, availability);
            assertTrue(unavailable.reason().contains("CAP_SYS_ADMIN"), unavailable.reason());
        }
    }

    @Test
    void opensABridgeThatReportsContiguity() {
        if (!Kernel.pfnsVisible()) {
            assertThrows(IllegalStateException.class, () -> provider.open(WdOptions.empty()));
            return;
        }
        try (WdMmBridge bridge = provider.open(WdOptions.empty())) {
            assertTrue(bridge.unwrap(dev.wdmm.api.WdContiguity.class).isPresent());
            assertTrue(bridge.unwrap(dev.wdmm.api.WdAddressAccess.class).isPresent());
            assertTrue(bridge.unwrap(dev.wdmm.api.WdDeviceAccess.class).isEmpty());
            assertEquals(4096, bridge.alloc(4096).byteSize());
        }
    }

    @Test
    void optionsOfThisBackendAreRefusedByName() {
        WdOptions typo = WdOptions.fromText(Map.of("wd.mm.noiommu.populte", "true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(typo));
        assertTrue(e.getMessage().startsWith("wd.mm.noiommu.populte"), e.getMessage());
        assertThrows(NullPointerException.class, () -> provider.open(null));
    }
}
