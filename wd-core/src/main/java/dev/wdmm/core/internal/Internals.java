package dev.wdmm.core.internal;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.ModeDetector;
import dev.wdmm.core.Selection;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdRegionSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

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
