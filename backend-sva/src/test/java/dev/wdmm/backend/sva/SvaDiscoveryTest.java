package dev.wdmm.backend.sva;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdMm;
import dev.wdmm.core.WdSelectionException;
import dev.wdmm.memory.alloc.ChunkAllocator;
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
        Selection selection = WdMm.builder()
                .sources(ConfigSources.of(Map.of(), Map.of(), Path.of("/nonexistent")))
                .select();
        assertEquals(IommuMode.NO_IOMMU, selection.mode());
        assertTrue(selection.selected().isEmpty(), selection.toText());
        Selection.Candidate sva = selection.candidates().stream()
                .filter(c -> c.name().equals("sva"))
                .findFirst()
                .orElseThrow();
        assertTrue(sva.available());
        assertEquals("not selected: does not serve NO_IOMMU", sva.verdict());
        assertTrue(selection.reason().contains("no available backend serves NO_IOMMU"), selection.reason());
    }

    @Test
    void configuredSvaIsRefusedOnThisMachineWhereTheDeviceSeesPhysicalAddresses() {
        WdSelectionException e = assertThrows(
                WdSelectionException.class,
                () -> WdMm.builder()
                        .sources(ConfigSources.of(Map.of("wd.mm.backend", "sva"), Map.of(), Path.of("/nonexistent")))
                        .open());
        assertTrue(
                e.getMessage()
                        .contains("wd.mm.backend=sva (system property wd.mm.backend) does not serve the detected"
                                + " mode NO_IOMMU (it serves [SVA])"),
                e.getMessage());
    }

    @Test
    void configuredAndForcedSvaOpensOnThisMachine() {
        try (WdMm mm = WdMm.builder()
                .sources(ConfigSources.of(
                        Map.of("wd.mm.backend", "sva", "wd.mm.backend.force", "true", "wd.mm.sva.prefault", "true"),
                        Map.of(),
                        Path.of("/nonexistent")))
                .open()) {
            assertTrue(mm.selection().forced(), mm.selection().toText());
            assertEquals("sva", mm.selection().requireSelected());
            var segment = mm.bridge().alloc(8192);
            assertEquals(segment.address(), mm.bridge().iovaMap(segment, 8192));
            mm.bridge().free(segment);
        }
    }

    @Test
    void theBackendResolvesOnTheModulePathWithWdApiAndWdMemoryAloneWithoutGuice() throws Exception {
        ModuleFinder finder = ModuleFinder.of(
                location(SvaBackendProvider.class), location(ChunkAllocator.class), location(WdBackendProvider.class));
        Configuration configuration =
                ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), Set.of("dev.wdmm.backend.sva"));
        Set<String> names = new java.util.TreeSet<>();
        configuration.modules().forEach(module -> names.add(module.name()));
        assertEquals(Set.of("dev.wdmm.api", "dev.wdmm.backend.sva", "dev.wdmm.memory"), names);
    }

    @Test
    void modulePathDiscoveryFindsSvaThroughProvides() throws Exception {
        Path[] paths = {
            location(SvaBackendProvider.class),
            location(Discovery.class),
            location(ChunkAllocator.class),
            location(WdBackendProvider.class),
            location(com.google.inject.Injector.class),
            location(jakarta.inject.Inject.class)
        };
        ModuleFinder finder = ModuleFinder.of(paths);
        Configuration configuration = ModuleLayer.boot()
                .configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.wdmm.backend.sva", "dev.wdmm.core"));
        ModuleLayer layer =
                ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
        Class<?> discoveryType = layer.findLoader("dev.wdmm.core").loadClass("dev.wdmm.core.Discovery");
        assertTrue(discoveryType.getModule().isNamed(), "Discovery runs in the named module dev.wdmm.core");
        Object discovery = discoveryType.getMethod("load", ModuleLayer.class).invoke(null, layer);
        assertEquals(List.of("sva"), discoveryType.getMethod("names").invoke(discovery));
        Object viaOwnLayer = discoveryType.getMethod("load").invoke(null);
        assertEquals(List.of("sva"), discoveryType.getMethod("names").invoke(viaOwnLayer));
        assertEquals(List.of(), discoveryType.getMethod("broken").invoke(discovery));
    }

    @Test
    void guiceModuleWorksOnTheModulePath() throws Exception {
        List<Path> paths = new java.util.ArrayList<>(List.of(
                location(SvaBackendProvider.class),
                location(Discovery.class),
                location(ChunkAllocator.class),
                location(WdBackendProvider.class)));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.matches("(guice|guava|failureaccess|aopalliance|jakarta\\.inject|asm)-.*\\.jar")) {
                paths.add(Path.of(entry));
            }
        }
        Configuration configuration = ModuleLayer.boot()
                .configuration()
                .resolveAndBind(
                        ModuleFinder.of(paths.toArray(Path[]::new)),
                        ModuleFinder.of(),
                        Set.of("dev.wdmm.backend.sva", "dev.wdmm.core", "com.google.common"));
        ModuleLayer layer =
                ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
        ClassLoader loader = layer.findLoader("dev.wdmm.core");
        Class<?> discoveryType = loader.loadClass("dev.wdmm.core.Discovery");
        Object discovery = discoveryType.getMethod("load").invoke(null);
        Class<?> moduleType = loader.loadClass("dev.wdmm.core.guice.WdMmModule");
        Object module = moduleType.getConstructor(discoveryType).newInstance(discovery);
        Class<?> guice = loader.loadClass("com.google.inject.Guice");
        Class<?> guiceModule = loader.loadClass("com.google.inject.Module");
        Object modules = java.lang.reflect.Array.newInstance(guiceModule, 1);
        java.lang.reflect.Array.set(modules, 0, module);
        Object injector = guice.getMethod("createInjector", modules.getClass()).invoke(null, modules);
        Class<?> selectionType = loader.loadClass("dev.wdmm.core.Selection");
        Object selection = loader.loadClass("com.google.inject.Injector")
                .getMethod("getInstance", Class.class)
                .invoke(injector, selectionType);
        assertEquals(
                "NO_IOMMU", selectionType.getMethod("mode").invoke(selection).toString());
        assertEquals(
                java.util.Optional.empty(), selectionType.getMethod("selected").invoke(selection));
    }

    private static Path location(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
