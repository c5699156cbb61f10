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
 * {@link dev.wdmm.core.WdSelectionException}; when the provider's {@code open} throws, the cause is
 * a {@link dev.wdmm.core.WdOpenException} naming the backend and its jar.
 *
 * <p>Loading this class sets {@value #BYTECODE_GEN_OPTION}{@code =DISABLED} unless the property is
 * already set, so that Guice prints no {@code sun.misc.Unsafe} warning on JDK 24 and later. It
 * takes effect when the module is created before the JVM's first Guice binder or injector, as in
 * {@code Guice.createInjector(new WdMmModule(...), ...)}. Without bytecode generation Guice
 * refuses method interception ({@code bindInterceptor}); an application that needs it sets
 * {@code -Dguice_bytecode_gen_option=ENABLED}, which is kept (with the warning).
 */
public final class WdMmModule extends AbstractModule {
    /**
     * Guice's system property for runtime bytecode generation ({@code ENABLED} or
     * {@code DISABLED}). Guice 7 reads it once, when its internal flags class initializes, i.e.
     * while the first binder or injector of the JVM is being created.
     */
    public static final String BYTECODE_GEN_OPTION = "guice_bytecode_gen_option";

    static {
        // Guice 7 defines generated classes through sun.misc.Unsafe, and JDK 24+ prints a
        // "terminally deprecated method in sun.misc.Unsafe" warning the first time; nothing here
        // needs generated classes (no method interception, reflection is fast enough for a few
        // singletons). Creating this module comes before Guice.createInjector(...) with it, so
        // this runs before Guice reads the flag unless an injector already exists. An explicit
        // setting (e.g. -Dguice_bytecode_gen_option=ENABLED for AOP) is left alone.
        if (System.getProperty(BYTECODE_GEN_OPTION) == null) {
            System.setProperty(BYTECODE_GEN_OPTION, "DISABLED");
        }
    }

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
                .setDefault()
                .toProvider((com.google.inject.Provider<ModeDetector>) () -> ModeDetector.fromRoot(Path.of("/")));
        OptionalBinder.newOptionalBinder(binder(), ConfigSources.class)
                .setDefault()
                .toProvider((com.google.inject.Provider<ConfigSources>) ConfigSources::system);
    }

    /** The providers bound in the map (other modules may add some), with discovery's broken and duplicates. */
    private Discovery bound(Map<String, WdBackendProvider> providers) {
        List<Discovery.Found> found = new ArrayList<>();
        providers.forEach((name, provider) -> found.add(discovery
                .find(name)
                .filter(f -> f.provider() == provider)
                .orElseGet(() -> Discovery.of(List.of(provider)).backends().getFirst())));
        return new Discovery(
                found.stream().sorted((a, b) -> a.name().compareTo(b.name())).toList(),
                discovery.broken(),
                discovery.duplicates());
    }

    @Provides
    @Singleton
    Configuration configuration(ConfigSources sources, Map<String, WdBackendProvider> providers) {
        return sources.resolve(Optional.empty(), Map.of(), Internals.declaredOptionNames(bound(providers)));
    }

    @Provides
    @Singleton
    Selection selection(Map<String, WdBackendProvider> providers, ModeDetector detector, Configuration configuration) {
        return Internals.select(bound(providers), detector.detect(), configuration);
    }

    @Provides
    @Singleton
    WdMmBridge bridge(Selection selection, Map<String, WdBackendProvider> providers, Configuration configuration) {
        return Internals.open(
                bound(providers).find(selection.requireSelected()).orElseThrow(), configuration.options());
    }

    @Provides
    @Singleton
    WdQueue queue(
            Selection selection,
            WdMmBridge bridge,
            Map<String, WdBackendProvider> providers,
            Configuration configuration) {
        String name = selection.requireSelected();
        return Internals.queue(
                selection.mode(),
                bridge,
                Internals.regionSource(bound(providers).find(name).orElseThrow(), configuration.options()),
                name);
    }

    @Override
    public String toString() {
        return "WdMmModule" + discovery.names();
    }
}
