package dev.wdmm.core.guice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.OptionalBinder;
import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.ModeDetector;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdSelectionException;
import dev.wdmm.core.testproviders.FakeProvider;
import dev.wdmm.core.testproviders.IdentityBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WdMmModuleTest {
    private final Discovery discovery = Discovery.of(List.of(
            new FakeProvider.Alpha(),
            new FakeProvider("sva", Set.of(IommuMode.SVA), 100, WdAvailability.available(), null)));

    /** Stands in for the application's own module: fixed configuration, optional detector override. */
    private static AbstractModule application(Map<String, String> system, ModeDetector detector) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                OptionalBinder.newOptionalBinder(binder(), ConfigSources.class)
                        .setBinding()
                        .toInstance(ConfigSources.of(system, Map.of(), Path.of("/nonexistent")));
                if (detector != null) {
                    OptionalBinder.newOptionalBinder(binder(), ModeDetector.class)
                            .setBinding()
                            .toInstance(detector);
                }
            }
        };
    }

    private static ModeDetector fixed(IommuMode mode) {
        return () -> new Detection(Path.of("/fixture"), mode, List.of("fixed " + mode), List.of());
    }

    @Test
    void providersAreBoundByNameInAMap() {
        Injector injector = Guice.createInjector(new WdMmModule(discovery), application(Map.of(), null));
        Map<String, WdBackendProvider> map =
                injector.getInstance(Key.get(new TypeLiteral<Map<String, WdBackendProvider>>() {}));
        assertEquals(Set.of("alpha", "sva"), map.keySet());
        assertSame(discovery.find("alpha").orElseThrow().provider(), map.get("alpha"));
    }

    @Test
    void defaultDetectorReadsTheRealRootAndSelectsForNoIommu() {
        Injector injector = Guice.createInjector(new WdMmModule(discovery), application(Map.of(), null));
        Selection selection = injector.getInstance(Selection.class);
        assertEquals(IommuMode.NO_IOMMU, selection.mode());
        assertEquals("alpha", selection.requireSelected());
    }

    @Test
    void bridgeAndQueueAreSingletonsOfTheSelectedBackend() {
        Injector injector =
                Guice.createInjector(new WdMmModule(discovery), application(Map.of(), fixed(IommuMode.SVA)));
        WdMmBridge bridge = injector.getInstance(WdMmBridge.class);
        assertSame(bridge, injector.getInstance(WdMmBridge.class));
        WdQueue queue = injector.getInstance(WdQueue.class);
        assertSame(queue, injector.getInstance(WdQueue.class));
        assertSame(bridge, queue.bridge());
        assertEquals(IommuMode.SVA, queue.mode());
        assertEquals("sva", injector.getInstance(Selection.class).requireSelected());
        MemorySegment segment = bridge.alloc(128);
        assertEquals(segment.address(), queue.iovaMap(segment, 128));
        bridge.free(segment);
        queue.close();
        bridge.close();
    }

    @Test
    void applicationOverridesDetectorAndConfiguration() {
        Injector injector = Guice.createInjector(
                new WdMmModule(discovery),
                application(
                        Map.of("wd.mm.backend", "alpha", "wd.mm.backend.force", "true"), fixed(IommuMode.TRANSLATED)));
        Selection selection = injector.getInstance(Selection.class);
        assertEquals(IommuMode.TRANSLATED, selection.mode());
        assertEquals("alpha", selection.requireSelected());
        assertTrue(selection.configuredBy().contains("system property"), selection.configuredBy());
        assertInstanceOf(IdentityBridge.class, injector.getInstance(WdMmBridge.class));
    }

    @Test
    void anotherModuleCanAddABackendToTheMap() {
        AbstractModule extra = new AbstractModule() {
            @Override
            protected void configure() {
                MapBinder.newMapBinder(binder(), String.class, WdBackendProvider.class)
                        .addBinding("extra")
                        .toInstance(new FakeProvider(
                                "extra", Set.of(IommuMode.PASSTHROUGH), 5, WdAvailability.available(), null));
            }
        };
        Injector injector = Guice.createInjector(
                new WdMmModule(discovery), application(Map.of(), fixed(IommuMode.PASSTHROUGH)), extra);
        assertEquals("extra", injector.getInstance(Selection.class).requireSelected());
    }

    @Test
    void nothingSelectableFailsProvisionWithTheSelectionReasons() {
        Injector injector =
                Guice.createInjector(new WdMmModule(discovery), application(Map.of(), fixed(IommuMode.PASSTHROUGH)));
        ProvisionException e = assertThrows(ProvisionException.class, () -> injector.getInstance(WdMmBridge.class));
        WdSelectionException cause = assertInstanceOf(WdSelectionException.class, e.getCause());
        assertTrue(cause.getMessage().contains("no available backend serves PASSTHROUGH"), cause.getMessage());
    }

    @Test
    void creatingTheInjectorDetectsNothing() {
        ModeDetector exploding = () -> {
            throw new AssertionError("detection ran during configure()");
        };
        Guice.createInjector(new WdMmModule(discovery), application(Map.of(), exploding));
    }
}
