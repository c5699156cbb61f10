package dev.wdmm.core.guice;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.multibindings.OptionalBinder;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.ModeDetector;
import dev.wdmm.core.Selection;
import dev.wdmm.core.internal.Internals;
import dev.wdmm.spi.WdBackendProvider;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Guice wiring for wd-mm. Providers are discovered outside the injector and handed in
 * ({@code new WdMmModule(Discovery.load())}); {@link #configure()} only binds:
 * <ul>
 *   <li>{@code Map<String, WdBackendProvider>} through a {@link MapBinder} keyed by backend name
 *       (another module may add entries);</li>
 *   <li>{@link ModeDetector} and {@link ConfigSources} through {@link OptionalBinder}s, with
 *       defaults {@code ModeDetector.fromRoot(Path.of("/"))} and {@link ConfigSources#system()};
 *       an application overrides them with {@code OptionalBinder.newOptionalBinder(binder(),
 *       ModeDetector.class).setBinding().toInstance(...)};</li>
 *   <li>singletons {@link Configuration}, {@link Selection}, {@link WdMmBridge} (the selected
 *       backend's, opened on first use) and {@link WdQueue} (over that bridge).</li>
 * </ul>
 * Nothing is read or opened until the first injection of one of these. The application closes
 * the bridge (and queue) when done. Getting {@link WdMmBridge} when nothing can be selected
 * fails with a {@code ProvisionException} whose cause is a
 * {@link dev.wdmm.core.WdSelectionException}.
 */
public final class WdMmModule extends AbstractModule {
    private final Discovery discovery;

    /**
     * Creates the module.
     *
     * @param discovery the providers found outside the injector, e.g. {@link Discovery#load()}
     */
    public WdMmModule(Discovery discovery) {
        this.discovery = requireNonNull(discovery, "discovery is null");
    }

    @Override
    protected void configure() {
        bind(Discovery.class).toInstance(discovery);
        MapBinder<String, WdBackendProvider> providers =
                MapBinder.newMapBinder(binder(), String.class, WdBackendProvider.class);
        for (Discovery.Found found : discovery.backends()) {
            providers.addBinding(found.name()).toInstance(found.provider());
        }
        OptionalBinder.newOptionalBinder(binder(), ModeDetector.class)
                .setDefault().toProvider((com.google.inject.Provider<ModeDetector>) () -> ModeDetector.fromRoot(Path.of("/")));
        OptionalBinder.newOptionalBinder(binder(), ConfigSources.class)
                .setDefault().toProvider((com.google.inject.Provider<ConfigSources>) ConfigSources::system);
    }

    @Provides
    @Singleton
    Configuration configuration(ConfigSources sources) {
        return sources.resolve(Optional.empty(), Map.of());
    }

    @Provides
    @Singleton
    Selection selection(Map<String, WdBackendProvider> providers, ModeDetector detector, Configuration configuration) {
        List<Discovery.Found> found = new ArrayList<>();
        providers.forEach((name, provider) -> found.add(discovery.find(name)
                .filter(f -> f.provider() == provider)
                .orElseGet(() -> Discovery.of(List.of(provider)).backends().getFirst())));
        Discovery bound = new Discovery(found.stream().sorted((a, b) -> a.name().compareTo(b.name())).toList(), discovery.broken());
        return Internals.select(bound, detector.detect(), configuration);
    }

    @Provides
    @Singleton
    WdMmBridge bridge(Selection selection, Map<String, WdBackendProvider> providers, Configuration configuration) {
        return providers.get(selection.requireSelected()).open(configuration.options());
    }

    @Provides
    @Singleton
    WdQueue queue(Selection selection, WdMmBridge bridge, Map<String, WdBackendProvider> providers, Configuration configuration) {
        String name = selection.requireSelected();
        return Internals.queue(selection.mode(), bridge, providers.get(name).regionSource(configuration.options()), name);
    }

    @Override
    public String toString() {
        return "WdMmModule" + discovery.names();
    }
}
