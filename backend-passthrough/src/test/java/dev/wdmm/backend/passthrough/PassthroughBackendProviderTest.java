package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's metadata, availability from fixture roots, discovery and option checks. */
class PassthroughBackendProviderTest {
    /** The fix the provider must name for missing huge pages. */
    private static final String RESERVE = "sysctl vm.nr_hugepages=256";

    private final PassthroughBackendProvider provider = new PassthroughBackendProvider();

    @TempDir
    Path root;

    @Test
    void describesItselfAsTheIssueAsks() {
        assertEquals("passthrough", provider.name());
        assertEquals(Set.of(IommuMode.PASSTHROUGH, IommuMode.NO_IOMMU), provider.modes());
        assertEquals(200, provider.priority());
        assertEquals(7, provider.options().size());
        assertEquals(
                4,
                provider.options().stream()
                        .filter(o -> o.name().startsWith("wd.mm.passthrough."))
                        .count());
        assertTrue(provider.options().containsAll(dev.wdmm.memory.alloc.CheckedMode.options()));
    }

    @Test
    void isFoundByServiceLoader() {
        assertTrue(ServiceLoader.load(WdBackendProvider.class).stream()
                .anyMatch(p -> p.type() == PassthroughBackendProvider.class));
    }

    @Test
    void availableWithFreeHugepagesOnAFixtureRoot() throws IOException {
        writeFree("3");
        WdAvailability availability = provider.availability(new WdEnvironment(root, IommuMode.PASSTHROUGH));
        assertTrue(availability.isAvailable(), availability.toString());
        assertTrue(
                availability.details().contains("hugepages-2048kB: free_hugepages=3"),
                availability.details().toString());
    }

    @Test
    void availabilitySeesTheRegionTheConfiguredBlocksNeed() throws IOException {
        writeFree("3");
        WdEnvironment environment = new WdEnvironment(root, IommuMode.PASSTHROUGH);
        assertTrue(provider.availability(environment, WdOptions.empty()).isAvailable(), "1024 x 4 KiB fit 3 pages");
        WdAvailability.Unavailable tooMany = assertInstanceOf(
                WdAvailability.Unavailable.class,
                provider.availability(
                        environment, WdOptions.fromText(Map.of("wd.mm.passthrough.block-count", "4096"))));
        assertTrue(tooMany.reason().contains("needs 9 free 2 MiB huge pages, free_hugepages=3"), tooMany.reason());
        assertTrue(tooMany.fix().contains("lower wd.mm.passthrough.block-count"), tooMany.fix());
        WdAvailability.Unavailable bad = assertInstanceOf(
                WdAvailability.Unavailable.class,
                provider.availability(environment, WdOptions.fromText(Map.of("wd.mm.passthrough.align", "3"))));
        assertTrue(bad.reason().contains("3"), bad.reason());
    }

    @Test
    void unavailableWithoutFreeHugepagesNamingTheSysctl() throws IOException {
        writeFree("0");
        WdAvailability.Unavailable zero = assertInstanceOf(
                WdAvailability.Unavailable.class,
                provider.availability(new WdEnvironment(root, IommuMode.PASSTHROUGH)));
        assertTrue(zero.reason().contains("free_hugepages=0"), zero.reason());
        assertTrue(zero.fix().contains(RESERVE), zero.fix());
    }

    @Test
    void unavailableWhenTheCountIsMissingOrMalformed() throws IOException {
        WdAvailability.Unavailable missing = assertInstanceOf(
                WdAvailability.Unavailable.class, provider.availability(new WdEnvironment(root, IommuMode.NO_IOMMU)));
        assertTrue(missing.fix().contains(RESERVE), missing.fix());
        writeFree("many");
        WdAvailability.Unavailable malformed = assertInstanceOf(
                WdAvailability.Unavailable.class, provider.availability(new WdEnvironment(root, IommuMode.NO_IOMMU)));
        assertTrue(malformed.reason().contains("many"), malformed.reason());
    }

    @Test
    void availabilityOnTheRealRootMatchesTheKernelsCount() {
        WdAvailability availability = provider.availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        assertEquals(
                Kernel.freeHugepages() > 0
                        && Kernel.pfnsVisible()
                        && LongTermPins.unavailabilityCause().isEmpty(),
                availability.isAvailable(),
                availability.toString());
    }

    @Test
    void unknownOptionsAndBadValuesAreRefusedBeforeAnythingIsReserved() {
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> provider.open(WdOptions.fromText(Map.of("wd.mm.passthrough.blocksize", "4096"))));
        assertTrue(unknown.getMessage().contains("wd.mm.passthrough.blocksize"), unknown.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> provider.regionSource(WdOptions.fromText(Map.of("wd.mm.passthrough.nope", "1"))));
        assertRefused("wd.mm.passthrough.block-size", "0", "wd.mm.passthrough.block-size=0");
        assertRefused("wd.mm.passthrough.block-size", "1g", "wd.mm.passthrough.block-size=1g");
        assertRefused("wd.mm.passthrough.block-count", "0", "wd.mm.passthrough.block-count=0");
        assertRefused("wd.mm.passthrough.align", "3", "alignment=3");
        assertRefused("wd.mm.passthrough.align", "8192", "wd.mm.passthrough.align=8192");
        assertRefused("wd.mm.passthrough.align", "x", "wd.mm.passthrough.align=x");
        assertFalse(provider.regionSource(WdOptions.fromText(Map.of("wd.mm.other", "1")))
                .isEmpty());
    }

    private void assertRefused(String key, String value, String fragment) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> provider.open(WdOptions.fromText(Map.of(key, value))));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    private void writeFree(String text) throws IOException {
        Path dir = Files.createDirectories(root.resolve("sys/kernel/mm/hugepages/hugepages-2048kB"));
        Files.writeString(dir.resolve("free_hugepages"), text + "\n");
    }
}
