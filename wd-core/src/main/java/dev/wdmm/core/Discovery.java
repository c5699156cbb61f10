package dev.wdmm.core;

import dev.wdmm.core.internal.Internals;
import dev.wdmm.spi.WdBackendProvider;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The backends found through {@link java.util.ServiceLoader}, and the providers that were found
 * but could not be loaded. Immutable and thread-safe.
 *
 * <p>A broken provider (its class missing, its constructor or {@code name()} throwing) is kept in
 * {@link #broken()} with its error and skipped; it never stops the others from loading. Two or
 * more providers with one name (a third-party jar reusing {@code hugepage}) are kept in
 * {@link #duplicates()}, not in {@link #backends()}: discovery still succeeds, {@code wd-mm doctor}
 * shows them, and only a selection that involves that name fails (the name is configured, or one
 * of them would win detection), naming every location.
 *
 * @param backends the loaded providers with a name of their own, sorted by name
 * @param broken the providers that failed to load, in discovery order
 * @param duplicates the names provided more than once, sorted by name
 */
public record Discovery(List<Found> backends, List<Broken> broken, List<Duplicate> duplicates) {
    /** Copies the lists. */
    public Discovery {
        backends = List.copyOf(backends);
        broken = List.copyOf(broken);
        duplicates = List.copyOf(duplicates);
    }

    /**
     * A discovery without duplicate names.
     *
     * @param backends the loaded providers, sorted by name
     * @param broken the providers that failed to load
     */
    public Discovery(List<Found> backends, List<Broken> broken) {
        this(backends, broken, List.of());
    }

    /**
     * A name that more than one loaded provider has.
     *
     * @param name the shared name
     * @param providers every provider with that name, in discovery order (at least two)
     */
    public record Duplicate(String name, List<Found> providers) {
        /** Checks for nulls and copies the list. */
        public Duplicate {
            Objects.requireNonNull(name, "name is null");
            providers = List.copyOf(providers);
        }

        /**
         * The providers as text, for messages: {@code com.example.X from file:/a.jar and ...}.
         *
         * @return the class and location of each provider
         */
        public String describe() {
            List<String> each = providers.stream()
                    .map(f -> f.provider().getClass().getName() + " from " + f.location())
                    .toList();
            return String.join(" and ", each);
        }
    }

    /**
     * A loaded provider.
     *
     * @param name its {@link WdBackendProvider#name()}
     * @param provider the instance
     * @param location where its class came from (jar or directory URL, or module name)
     */
    public record Found(String name, WdBackendProvider provider, String location) {
        /** Checks for nulls. */
        public Found {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(provider, "provider is null");
            Objects.requireNonNull(location, "location is null");
        }
    }

    /**
     * A provider that was listed but could not be loaded.
     *
     * @param type the provider class name if known, else {@code "?"}
     * @param location where its class came from, or where it was listed, if known, else {@code "?"}
     * @param error what went wrong, with the cause
     */
    public record Broken(String type, String location, String error) {}

    /**
     * Discovers the providers visible to a class loader (class path, and the module path of the
     * boot layer when the loader is the application's).
     *
     * @param loader the class loader to search
     * @return the discovery
     */
    public static Discovery load(ClassLoader loader) {
        return Internals.discover(Objects.requireNonNull(loader, "loader is null"));
    }

    /**
     * Discovers the providers in a module layer (and its parents).
     *
     * @param layer the layer to search
     * @return the discovery
     */
    public static Discovery load(ModuleLayer layer) {
        return Internals.discover(Objects.requireNonNull(layer, "layer is null"));
    }

    /**
     * Discovers through this library's own class loader: the usual call for an application. That
     * loader sees providers declared with {@code provides} in named modules it defines (the
     * module path) and those listed in {@code META-INF/services} on its class path, so both are
     * found.
     *
     * @return the discovery
     */
    public static Discovery load() {
        ClassLoader loader = Discovery.class.getClassLoader();
        return load(loader != null ? loader : ClassLoader.getSystemClassLoader());
    }

    /**
     * Wraps providers obtained some other way (tests, containers); locations are their classes'
     * code sources.
     *
     * @param providers the providers
     * @return the discovery, with nothing broken
     */
    public static Discovery of(List<? extends WdBackendProvider> providers) {
        return Internals.discover(providers);
    }

    /**
     * The provider with this name.
     *
     * @param name a backend name
     * @return the provider, or empty
     */
    public Optional<Found> find(String name) {
        return backends.stream().filter(found -> found.name().equals(name)).findFirst();
    }

    /**
     * The names of the loaded providers with a name of their own, sorted.
     *
     * @return the names
     */
    public List<String> names() {
        return backends.stream().map(Found::name).toList();
    }

    /**
     * The duplicate entry for a name.
     *
     * @param name a backend name
     * @return the providers sharing it, or empty if at most one provider has it
     */
    public Optional<Duplicate> duplicate(String name) {
        return duplicates.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}
