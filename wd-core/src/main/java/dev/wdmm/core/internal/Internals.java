package dev.wdmm.core.internal;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.ModeDetector;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdOpenException;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.spi.WdRegionSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The one door from the public packages into the implementation: static factories for the
 * package-private classes. Not exported; not an API.
 */
public final class Internals {
    private Internals() {}

    /**
     * The built-in sysfs/procfs detector.
     *
     * @param root the root holding {@code sys/} and {@code proc/}
     * @return the detector
     */
    public static ModeDetector sysfsDetector(Path root) {
        return SysfsModeDetector.of(root);
    }

    /**
     * Discovery through a class loader.
     *
     * @param loader the loader
     * @return the discovery
     */
    public static Discovery discover(ClassLoader loader) {
        return ServiceDiscovery.run(ServiceLoader.load(WdBackendProvider.class, loader));
    }

    /**
     * Discovery through a module layer.
     *
     * @param layer the layer
     * @return the discovery
     */
    public static Discovery discover(ModuleLayer layer) {
        return ServiceDiscovery.run(ServiceLoader.load(layer, WdBackendProvider.class));
    }

    /**
     * Discovery over given providers.
     *
     * @param providers the providers
     * @return the discovery
     */
    public static Discovery discover(List<? extends WdBackendProvider> providers) {
        return ServiceDiscovery.build(providers, List.of());
    }

    /**
     * The selection.
     *
     * @param discovery the providers found
     * @param detection the detected mode
     * @param configuration the configuration
     * @return the decision
     */
    public static Selection select(Discovery discovery, Detection detection, Configuration configuration) {
        return Selector.select(discovery, detection, configuration);
    }

    /**
     * Every option name the providers found declare (duplicates included), with the general keys:
     * what environment variables are matched against.
     *
     * @param discovery the providers found
     * @return the names, sorted
     */
    public static Set<String> declaredOptionNames(Discovery discovery) {
        return OptionCheck.declaredNames(discovery);
    }

    /**
     * Opens a provider's bridge, wrapping whatever it throws with its name and location.
     *
     * @param found the provider
     * @param options the options
     * @return the bridge, never null
     * @throws WdOpenException if the provider's {@code open} throws or returns null
     */
    public static WdMmBridge open(Discovery.Found found, WdOptions options) {
        WdMmBridge bridge;
        try {
            bridge = found.provider().open(options);
        } catch (RuntimeException | LinkageError e) {
            throw new WdOpenException(found.name(), found.location(), "open", e);
        }
        if (bridge == null) {
            throw new WdOpenException(
                    found.name(), found.location(), "open", new NullPointerException("open() returned null"));
        }
        return bridge;
    }

    /**
     * A provider's region source, wrapping whatever it throws with its name and location.
     *
     * @param found the provider
     * @param options the options
     * @return the region source, or empty
     * @throws WdOpenException if the provider's {@code regionSource} throws or returns null
     */
    public static Optional<WdRegionSource> regionSource(Discovery.Found found, WdOptions options) {
        Optional<WdRegionSource> source;
        try {
            source = found.provider().regionSource(options);
        } catch (RuntimeException | LinkageError e) {
            throw new WdOpenException(found.name(), found.location(), "regionSource", e);
        }
        if (source == null) {
            throw new WdOpenException(
                    found.name(),
                    found.location(),
                    "regionSource",
                    new NullPointerException("regionSource() returned null"));
        }
        return source;
    }

    /**
     * A queue over a bridge.
     *
     * @param mode the device's mode
     * @param bridge the bridge (not closed by the queue)
     * @param regionSource where reserved memory comes from, if anywhere
     * @param backend the backend's name, for messages
     * @return the queue
     */
    public static WdQueue queue(
            IommuMode mode, WdMmBridge bridge, Optional<WdRegionSource> regionSource, String backend) {
        return BridgeQueue.create(mode, bridge, regionSource, backend);
    }
}
