package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
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

class VfioBackendProviderTest {
    private final VfioBackendProvider provider = new VfioBackendProvider();

    @TempDir
    Path root;

    @Test
    void isFoundByServiceLoaderWithItsNameModeAndPriority() {
        WdBackendProvider found = ServiceLoader.load(WdBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("vfio"))
                .findFirst()
                .orElseThrow();
        assertEquals(Set.of(IommuMode.TRANSLATED), found.modes());
        assertEquals(400, found.priority());
    }

    @Test
    void machineWithoutIommuGroupsIsUnavailableWithTheFix() {
        WdAvailability a = provider.availability(new WdEnvironment(root, IommuMode.NO_IOMMU));
        WdAvailability.Unavailable u = (WdAvailability.Unavailable) a;
        assertTrue(u.reason().contains("no IOMMU groups"), u.reason());
        assertTrue(u.fix().contains("intel_iommu=on"), u.fix());
    }

    @Test
    void groupsWithoutVfioDriverAreUnavailableWithTheModprobe() throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups/3"));
        WdAvailability.Unavailable u = (WdAvailability.Unavailable) provider.availability(env());
        assertEquals("modprobe vfio-pci", u.fix());
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        u = (WdAvailability.Unavailable) provider.availability(env());
        assertTrue(u.reason().contains("no device is bound to vfio-pci"), u.reason());
    }

    @Test
    void boundGroupMakesTheBackendAvailable() throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups/3"));
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        Files.createFile(root.resolve("dev/vfio/3"));
        WdAvailability a = provider.availability(env());
        assertTrue(a.isAvailable());
        assertEquals("vfio groups=3", a.details().getFirst());
    }

    @Test
    void availabilitySeesTheConfiguredDevice() throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups/3"));
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        Files.createFile(root.resolve("dev/vfio/3"));
        WdAvailability.Unavailable unset = (WdAvailability.Unavailable) provider.availability(env(), WdOptions.empty());
        assertTrue(unset.reason().startsWith("wd.mm.vfio.device is not set"), unset.reason());
        WdAvailability.Unavailable unknown = (WdAvailability.Unavailable)
                provider.availability(env(), WdOptions.fromText(Map.of("wd.mm.vfio.device", "0000:ff:1f.7")));
        assertTrue(
                unknown.reason().startsWith("wd.mm.vfio.device=0000:ff:1f.7 must name a PCI device"), unknown.reason());
        Path dev = Files.createDirectories(root.resolve("sys/bus/pci/devices/0000:00:03.0"));
        Files.createSymbolicLink(
                dev.resolve("driver"), Files.createDirectories(root.resolve("sys/bus/pci/drivers/vfio-pci")));
        Files.createSymbolicLink(dev.resolve("iommu_group"), root.resolve("sys/kernel/iommu_groups/3"));
        WdAvailability bound =
                provider.availability(env(), WdOptions.fromText(Map.of("wd.mm.vfio.device", "0000:00:03.0")));
        assertTrue(bound.isAvailable(), bound.toString());
        assertTrue(
                bound.details().contains("device=0000:00:03.0 group=3"),
                bound.details().toString());
        Files.delete(root.resolve("dev/vfio/3"));
        Files.createFile(root.resolve("dev/vfio/4"));
        WdAvailability.Unavailable otherGroup = (WdAvailability.Unavailable)
                provider.availability(env(), WdOptions.fromText(Map.of("wd.mm.vfio.device", "0000:00:03.0")));
        assertTrue(otherGroup.reason().contains("/dev/vfio/3 is missing"), otherGroup.reason());
    }

    @Test
    void openWithoutDeviceNamesTheOption() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> provider.open(WdOptions.empty()));
        assertTrue(e.getMessage().startsWith("wd.mm.vfio.device is not set"), e.getMessage());
    }

    @Test
    void openOfUnknownDeviceNamesTheValue() {
        WdOptions options = WdOptions.fromText(Map.of("wd.mm.vfio.device", "0000:ff:1f.7"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(options));
        assertTrue(e.getMessage().startsWith("wd.mm.vfio.device=0000:ff:1f.7 must name a PCI device"), e.getMessage());
    }

    @Test
    void deviceBoundToAnotherDriverIsRefusedWithTheRebindCommands() throws IOException {
        Path dev = Files.createDirectories(root.resolve("bus/pci/devices/0000:00:03.0"));
        Path driver = Files.createDirectories(root.resolve("bus/pci/drivers/edu"));
        Files.createSymbolicLink(dev.resolve("driver"), driver);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> VfioContainer.groupOf(root, "0000:00:03.0"));
        assertTrue(
                e.getMessage().startsWith("device=0000:00:03.0 is bound to driver=edu, not vfio-pci; fix:"),
                e.getMessage());
        assertTrue(e.getMessage().contains("driver_override"), e.getMessage());
    }

    @Test
    void vfioDeviceWithoutGroupAsksForTheIommu() throws IOException {
        Path dev = Files.createDirectories(root.resolve("bus/pci/devices/0000:00:03.0"));
        Files.createSymbolicLink(
                dev.resolve("driver"), Files.createDirectories(root.resolve("bus/pci/drivers/vfio-pci")));
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> VfioContainer.groupOf(root, "0000:00:03.0"));
        assertTrue(e.getMessage().contains("intel_iommu=on"), e.getMessage());
        assertFalse(e.getMessage().contains("driver_override"));
    }

    private WdEnvironment env() {
        return new WdEnvironment(root, IommuMode.TRANSLATED);
    }

    @Test
    void unknownIovaModeNamesTheValueAndTheModes() {
        WdOptions options =
                WdOptions.fromText(Map.of("wd.mm.vfio.device", "0000:00:03.0", "wd.mm.vfio.iova.mode", "identity"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> provider.open(options));
        assertEquals("wd.mm.vfio.iova.mode=identity must be one of [allocated, va]", e.getMessage());
    }

    @Test
    void availabilityShowsTheKernelsMappingLimit() throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups/3"));
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        Files.createFile(root.resolve("dev/vfio/3"));
        Path parameters = Files.createDirectories(root.resolve("sys/module/vfio_iommu_type1/parameters"));
        Files.writeString(parameters.resolve("dma_entry_limit"), "65535\n");
        WdAvailability a = provider.availability(env());
        assertEquals(
                List.of(
                        "vfio groups=3",
                        "dma_entry_limit=65535 (most DMA mappings per container; this backend makes one per 2 MiB chunk)"),
                a.details(),
                "a fixture root: the groups are not opened");
    }
}
