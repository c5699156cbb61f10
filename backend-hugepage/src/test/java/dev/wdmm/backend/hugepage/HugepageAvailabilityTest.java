package dev.wdmm.backend.hugepage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.memory.nativeio.HugepageCounts;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HugepageAvailabilityTest {
    @TempDir
    Path root;

    private final HugepageBackendProvider provider = new HugepageBackendProvider();

    private void sizeDir(long kib, String nr, String free) throws IOException {
        Path dir = Files.createDirectories(root.resolve("sys/kernel/mm/hugepages/hugepages-" + kib + "kB"));
        Files.writeString(dir.resolve("nr_hugepages"), nr + "\n");
        Files.writeString(dir.resolve("free_hugepages"), free + "\n");
    }

    private WdAvailability availability() {
        return provider.availability(new WdEnvironment(root, IommuMode.NO_IOMMU));
    }

    @Test
    void providerIsFoundByServiceLoaderWithItsNameModesAndPriority() {
        WdBackendProvider found = ServiceLoader.load(WdBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("hugepage"))
                .findFirst()
                .orElseThrow();
        assertInstanceOf(HugepageBackendProvider.class, found);
        assertEquals(Set.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH), found.modes());
        assertEquals(300, found.priority());
    }

    @Test
    void freeTwoMebibytePagesMakeItAvailableAndEverySizeIsListed() throws IOException {
        sizeDir(2048, "256", "250");
        sizeDir(1048576, "0", "0");
        WdAvailability availability = availability();
        assertTrue(availability.isAvailable(), availability.toString());
        assertEquals(
                List.of(
                        "hugepages-2048kB: nr_hugepages=256 free_hugepages=250",
                        "hugepages-1048576kB: nr_hugepages=0 free_hugepages=0"),
                availability.details());
    }

    @Test
    void availabilitySeesTheConfiguredPageSize() throws IOException {
        sizeDir(2048, "256", "250");
        sizeDir(1048576, "0", "0");
        WdEnvironment environment = new WdEnvironment(root, IommuMode.NO_IOMMU);
        WdOptions oneGig = WdOptions.fromText(Map.of("wd.mm.hugepage.size", "1g"));
        WdAvailability.Unavailable unavailable =
                assertInstanceOf(WdAvailability.Unavailable.class, provider.availability(environment, oneGig));
        assertTrue(
                unavailable
                        .reason()
                        .contains(
                                "no free 1024 MiB huge pages (hugepages-1048576kB: nr_hugepages=0 free_hugepages=0) for"
                                        + " wd.mm.hugepage.size=1073741824"),
                unavailable.reason());
        assertTrue(unavailable.fix().contains("hugepages-1048576kB/nr_hugepages"), unavailable.fix());
        assertTrue(provider.availability(environment, WdOptions.empty()).isAvailable());
        WdAvailability.Unavailable bad = assertInstanceOf(
                WdAvailability.Unavailable.class,
                provider.availability(environment, WdOptions.fromText(Map.of("wd.mm.hugepage.size", "big"))));
        assertTrue(bad.reason().contains("wd.mm.hugepage.size=big"), bad.reason());
    }

    @Test
    void noFreePagesNamesTheSysctlThatReservesThem() throws IOException {
        sizeDir(2048, "4", "0");
        WdAvailability.Unavailable unavailable = assertInstanceOf(WdAvailability.Unavailable.class, availability());
        assertTrue(unavailable.reason().contains("nr_hugepages=4 free_hugepages=0"), unavailable.reason());
        assertTrue(unavailable.fix().contains("sysctl vm.nr_hugepages=256"), unavailable.fix());
    }

    @Test
    void missingHugetlbSupportIsExplained() {
        WdAvailability.Unavailable unavailable = assertInstanceOf(WdAvailability.Unavailable.class, availability());
        assertTrue(unavailable.reason().contains("no huge pages"), unavailable.reason());
        assertTrue(unavailable.fix().contains("CONFIG_HUGETLBFS"), unavailable.fix());
    }

    @Test
    void malformedCountIsReportedNotThrown() throws IOException {
        sizeDir(2048, "lots", "1");
        WdAvailability.Unavailable unavailable = assertInstanceOf(WdAvailability.Unavailable.class, availability());
        assertTrue(unavailable.reason().contains("'lots'"), unavailable.reason());
    }

    @Test
    void unknownOptionsAndUnofferedSizesAreRefusedAtOpen() throws IOException {
        sizeDir(2048, "1", "1");
        Path sysfs = root.resolve(HugepageCounts.RELATIVE);
        IllegalArgumentException typo = assertThrows(
                IllegalArgumentException.class,
                () -> HugepageBackendProvider.open(WdOptions.fromText(Map.of("wd.mm.hugepage.sise", "2m")), sysfs));
        assertTrue(typo.getMessage().contains("wd.mm.hugepage.sise"), typo.getMessage());
        IllegalArgumentException size = assertThrows(
                IllegalArgumentException.class,
                () -> HugepageBackendProvider.open(WdOptions.fromText(Map.of("wd.mm.hugepage.size", "1g")), sysfs));
        assertTrue(size.getMessage().contains("wd.mm.hugepage.size=1073741824"), size.getMessage());
        IllegalArgumentException stripes = assertThrows(
                IllegalArgumentException.class,
                () -> HugepageBackendProvider.open(WdOptions.fromText(Map.of("wd.mm.hugepage.stripes", "3")), sysfs));
        assertTrue(stripes.getMessage().contains("must be a power of two"), stripes.getMessage());
    }

    @Test
    void thisMachineReportsItsRealCounts() {
        WdAvailability real = provider.availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        assertTrue(
                real.details().stream().anyMatch(d -> d.startsWith("hugepages-2048kB: nr_hugepages=")),
                real.details().toString());
        long free =
                HugepageCounts.findOrUnknown(Hugepages.SYSFS, Hugepages.MIB2).free();
        assertEquals(
                free > 0
                        && real.details().contains("pagemap: PFNs visible (CAP_SYS_ADMIN)")
                        && dev.wdmm.memory.nativeio.LongTermPins.unavailabilityCause()
                                .isEmpty(),
                real.isAvailable(),
                real.toString());
        if (free > 0) {
            assertTrue(
                    real.details().stream().anyMatch(d -> d.startsWith("pages held in place by: long-term pin")),
                    real.details().toString());
        }
    }
}
