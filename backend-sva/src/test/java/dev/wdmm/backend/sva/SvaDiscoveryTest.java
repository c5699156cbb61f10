package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdMm;
import dev.wdmm.spi.WdBackendProvider;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SvaDiscoveryTest {

    @Test
    void classPathDiscoveryFindsSvaThroughMetaInfServices() {
        Discovery discovery = Discovery.load(getClass().getClassLoader());
        Discovery.Found sva = discovery.find("sva").orElseThrow();
        assertTrue(sva.location().contains("backend-sva"), sva.location());
        assertTrue(discovery.broken().isEmpty(), discovery.broken().toString());
    }

    @Test
    void onThisMachineNoIommuIsDetectedAndSvaIsNotSelectedWithTheReason() {
        Selection selection = WdMm.builder().sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent"))).select();
        assertEquals(IommuMode.NO_IOMMU, selection.mode());
        assertTrue(selection.selected().isEmpty(), selection.toText());
        Selection.Candidate sva = selection.candidates().stream().filter(c -> c.name().equals("sva")).findFirst().orElseThrow();
        assertTrue(sva.available());
        assertEquals("not selected: does not serve NO_IOMMU", sva.verdict());
        assertTrue(selection.reason().contains("no available backend serves NO_IOMMU"), selection.reason());
    }

    @Test
    void configuredSvaOpensOnThisMachine() {
        try (WdMm mm = WdMm.builder()
                .sources(ConfigSources.of(Map.of("wd.mm.backend", "sva", "wd.mm.sva.prefault", "true"), Map.of(), Path.of("/nonexistent")))
                .open()) {
            assertEquals("sva", mm.selection().requireSelected());
            var segment = mm.bridge().alloc(8192);
            assertEquals(segment.address(), mm.bridge().iovaMap(segment, 8192));
            mm.bridge().free(segment);
        }
    }

    @Test
    void modulePathDiscoveryFindsSvaThroughProvides() throws Exception {
        Path[] paths = {
            location(SvaBackendProvider.class), location(Discovery.class), location(WdBackendProvider.class),
            location(com.google.inject.Injector.class), location(jakarta.inject.Inject.class)
        };
        ModuleFinder finder = ModuleFinder.of(paths);
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.wdmm.backend.sva", "dev.wdmm.core"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
        Class<?> discoveryType = layer.findLoader("dev.wdmm.core").loadClass("dev.wdmm.core.Discovery");
        assertTrue(discoveryType.getModule().isNamed(), "Discovery runs in the named module dev.wdmm.core");
        Object discovery = discoveryType.getMethod("load", ModuleLayer.class).invoke(null, layer);
        assertEquals(List.of("sva"), discoveryType.getMethod("names").invoke(discovery));
        Object viaOwnLayer = discoveryType.getMethod("load").invoke(null);
        assertEquals(List.of("sva"), discoveryType.getMethod("names").invoke(viaOwnLayer));
        assertEquals(List.of(), discoveryType.getMethod("broken").invoke(discovery));
    }

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
