package dev.wdmm.bench;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Finds backends by name through {@link ServiceLoader} and opens them for a benchmark.
 *
 * <p>Also a command ({@link #main}) that prints the names of the backends present and available
 * on this machine, comma-separated, so that {@code run.sh} passes only those with
 * {@code -p backend=...}; the reason for each one left out goes to standard error.
 *
 * <p>Stateless and thread-safe. Availability is asked with the real root directory and, as the
 * mode, {@link IommuMode#NO_IOMMU} when the provider serves it (this project's machines have no
 * IOMMU), else the first mode it serves: the benchmarks measure every backend that can run here,
 * not only the one that detection would select.
 */
public final class Backends {

    private Backends() {}

    /**
     * Opens the backend called {@code name} with empty options.
     *
     * @param name a provider name such as {@code sva}
     * @return an open bridge; the caller closes it
     * @throws IllegalStateException when no provider has that name (the message lists those
     *         found) or the provider is unavailable here (the message gives its reason and fix)
     */
    public static WdMmBridge open(String name) {
        return open(name, WdOptions.empty());
    }

    /**
     * Opens the backend called {@code name} so that it can hold {@code count} allocations of up to
     * {@code largest} bytes at once. A fixed-block backend (one with a
     * {@code wd.mm.<name>.block-size} option, such as {@code passthrough}) is opened with that block
     * size and count; any other backend with empty options.
     *
     * @param name a provider name
     * @param largest the largest allocation the benchmark makes, bytes
     * @param count how many such allocations it holds at once
     * @return an open bridge; the caller closes it
     * @throws IllegalStateException as {@link #open(String)}
     */
    public static WdMmBridge open(String name, long largest, int count) {
        String prefix = "wd.mm." + name + ".";
        boolean fixedBlocks = find(name)
                .map(p -> p.options().stream().anyMatch(o -> o.name().equals(prefix + "block-size")))
                .orElse(false);
        return open(
                name,
                fixedBlocks
                        ? WdOptions.fromText(java.util.Map.of(
                                prefix + "block-size",
                                Long.toString(largest),
                                prefix + "block-count",
                                Integer.toString(count)))
                        : WdOptions.empty());
    }

    /**
     * A region reserved from the backend's own region source (queues' reserved memory: the
     * {@code passthrough} model), for pools that should be carved from it rather than from one
     * huge allocation of the bridge. Empty for backends without a region source.
     *
     * @param name a provider name
     * @param bytes region size
     * @return the reserved region with its source, or empty
     */
    public static java.util.Optional<Reserved> reserve(String name, long bytes) {
        return find(name)
                .flatMap(p -> p.regionSource(WdOptions.empty()))
                .map(source -> new Reserved(source, source.reserve(bytes)));
    }

    /**
     * A reserved region and the source to give it back to.
     *
     * @param source the region source
     * @param region the reserved region
     */
    public record Reserved(dev.wdmm.spi.WdRegionSource source, dev.wdmm.api.WdReservedMemory region)
            implements AutoCloseable {
        /** Gives the region back. */
        @Override
        public void close() {
            source.release(region);
        }
    }

    /**
     * Opens the backend called {@code name} with the given options (e.g. {@code wd.mm.checked}).
     *
     * @param name a provider name
     * @param options the options handed to the provider
     * @return an open bridge; the caller closes it
     * @throws IllegalStateException as {@link #open(String)}
     */
    public static WdMmBridge open(String name, WdOptions options) {
        WdBackendProvider provider = find(name)
                .orElseThrow(() -> new IllegalStateException("backend=" + name + " not found on the class path; found "
                        + providers().keySet() + "; pass only present backends with -p backend=..."));
        WdAvailability availability = provider.availability(environment(provider));
        if (availability instanceof WdAvailability.Unavailable(String reason, String fix, List<String> details)) {
            throw new IllegalStateException("backend=" + name + " unavailable: " + reason + "; fix: " + fix
                    + (details.isEmpty() ? "" : " " + details));
        }
        return provider.open(options);
    }

    /** The providers found on the class path, by name. */
    static TreeMap<String, WdBackendProvider> providers() {
        TreeMap<String, WdBackendProvider> byName = new TreeMap<>();
        for (ServiceLoader.Provider<WdBackendProvider> p :
                ServiceLoader.load(WdBackendProvider.class).stream().toList()) {
            try {
                WdBackendProvider provider = p.get();
                byName.put(provider.name(), provider);
            } catch (java.util.ServiceConfigurationError | RuntimeException e) {
                System.err.println("backend provider " + p.type().getName() + " failed to load: " + e);
            }
        }
        return byName;
    }

    private static Optional<WdBackendProvider> find(String name) {
        return Optional.ofNullable(providers().get(name));
    }

    private static WdEnvironment environment(WdBackendProvider provider) {
        IommuMode mode = provider.modes().contains(IommuMode.NO_IOMMU)
                        || provider.modes().isEmpty()
                ? IommuMode.NO_IOMMU
                : provider.modes().iterator().next();
        return new WdEnvironment(Path.of("/"), mode);
    }

    /**
     * Prints the available backends among {@code args} (all known built-in names when none are
     * given) on one line, comma-separated; the reason for each one left out on standard error.
     *
     * @param args backend names to check
     */
    public static void main(String[] args) {
        List<String> wanted = args.length > 0 ? List.of(args) : List.of("sva", "noiommu", "hugepage", "passthrough");
        TreeMap<String, WdBackendProvider> found = providers();
        List<String> usable = new ArrayList<>();
        for (String name : wanted) {
            WdBackendProvider provider = found.get(name);
            if (provider == null) {
                System.err.println("bench: backend=" + name + " not present (no provider on the class path)");
                continue;
            }
            WdAvailability availability = provider.availability(environment(provider));
            if (availability instanceof WdAvailability.Unavailable(String reason, String fix, var _)) {
                System.err.println("bench: backend=" + name + " unavailable: " + reason + "; fix: " + fix);
            } else {
                usable.add(name);
            }
        }
        System.out.println(String.join(",", usable));
    }
}
