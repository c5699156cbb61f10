package dev.wdmm.core;

import static java.util.Objects.requireNonNull;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdStats;
import dev.wdmm.core.internal.Internals;
import dev.wdmm.core.internal.StatsEvents;
import dev.wdmm.memory.alloc.LeakReports;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdRegionSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facade for applications without Guice: discovers the backends, detects the mode, selects
 * a backend and opens its bridge.
 *
 * <pre>{@code
 * try (WdMm mm = WdMm.open()) {                       // defaults: detect, or wd.mm.backend
 *     MemorySegment buffer = mm.bridge().alloc(4096);
 *     long iova = mm.bridge().iovaMap(buffer, 4096);
 * }
 * WdMm mm = WdMm.builder().backend("sva").option("wd.mm.sva.prefault", "true").open();
 * Selection why = WdMm.builder().select();            // the decision only, nothing opened
 * }</pre>
 *
 * <p><b>Thread-safety:</b> all methods may be called concurrently. {@link #close()} closes the
 * queues opened here, then the bridge; afterwards {@link #bridge()} and {@link #openQueue()}
 * throw {@link WdClosedException}.
 */
public final class WdMm implements AutoCloseable {
    private final Selection selection;
    private final WdMmBridge bridge;
    private final Optional<WdRegionSource> regionSource;
    private final List<WdQueue> queues = new ArrayList<>();
    private final LeakReports.Watch watch;
    private boolean closed;

    private WdMm(Selection selection, WdMmBridge bridge, Optional<WdRegionSource> regionSource) {
        this.selection = selection;
        this.bridge = bridge;
        this.regionSource = regionSource;
        String backend = selection.selected().orElse("none");
        this.watch = LeakReports.watch(this, "WdMm facade (backend=" + backend + ")", new Release(queues, bridge));
        StatsEvents.watch(backend, bridge);
    }

    /** What close does, once; refers to the queues and the bridge, never to the facade (a Cleaner may run it). */
    private record Release(List<WdQueue> queues, WdMmBridge bridge) implements Runnable {
        @Override
        public void run() {
            try {
                synchronized (queues) {
                    queues.forEach(WdQueue::close);
                    queues.clear();
                }
            } finally {
                StatsEvents.unwatch(bridge);
                bridge.close();
            }
        }
    }

    /**
     * A snapshot of the bridge's accounting ({@link WdMmBridge#stats()}): live allocations and
     * bytes, memory held and its peak, failures, the limit. Callable after {@link #close()}.
     *
     * @return the snapshot
     */
    public WdStats stats() {
        return bridge.stats();
    }

    /**
     * Opens with every default: discovery through this library's loader, detection under
     * {@code /}, configuration from the process (system properties, environment, properties file).
     *
     * @return the opened facade
     * @throws WdSelectionException if no backend can be used (message: every candidate's reason),
     *     including when the configured or detected backend has an unknown {@code wd.mm.<backend>.*}
     *     key or a bad value, or its name is provided by two jars
     * @throws WdOpenException if the selected provider's {@code open} fails (names the backend and jar)
     * @throws WdDetectionException if a sysfs/procfs file makes no sense
     */
    public static WdMm open() {
        return builder().open();
    }

    /**
     * A builder to override the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The decision that chose this backend.
     *
     * @return the selection
     */
    public Selection selection() {
        return selection;
    }

    /**
     * The selected backend's bridge.
     *
     * @return the bridge, open until {@link #close()}
     * @throws WdClosedException after close
     */
    public synchronized WdMmBridge bridge() {
        requireOpen("bridge");
        return bridge;
    }

    /**
     * Opens a queue over the bridge, in the detected mode, with the backend's region source (if it
     * has one) for reserved memory. The queue is closed by {@link #close()} if not before.
     *
     * @return a new queue
     * @throws WdClosedException after close
     */
    public synchronized WdQueue openQueue() {
        requireOpen("openQueue");
        WdQueue queue = Internals.queue(selection.mode(), bridge, regionSource, selection.requireSelected());
        synchronized (queues) {
            queues.add(queue);
        }
        return queue;
    }

    /**
     * Closes the queues opened here, then the bridge (which releases everything and reports what
     * was still allocated). Idempotent. A facade that becomes unreachable without it is reported
     * and closed by a {@link java.lang.ref.Cleaner} ({@link LeakReports}).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        watch.close();
    }

    private void requireOpen(String operation) {
        if (closed) {
            throw new WdClosedException(operation + " on a closed WdMm (backend="
                    + selection.selected().orElse("none") + ")");
        }
    }

    @Override
    public String toString() {
        return "WdMm[backend=" + selection.selected().orElse("none") + ", mode=" + selection.mode() + "]";
    }

    /**
     * Collects overrides for {@link WdMm}. Not thread-safe; use from one thread.
     */
    public static final class Builder {
        private String backend;
        private final Map<String, String> options = new LinkedHashMap<>();
        private Path root = Path.of("/");
        private ModeDetector detector;
        private ConfigSources sources;
        private Discovery discovery;

        private Builder() {}

        /**
         * Names the backend, beating every other configuration source and detection.
         *
         * @param name a backend name such as {@code sva}
         * @return this builder
         */
        public Builder backend(String name) {
            this.backend = requireNonNull(name, "name is null");
            return this;
        }

        /**
         * Sets a {@code wd.mm.*} option, beating every other configuration source.
         *
         * @param name the property name, starting with {@value WdMmProperties#PREFIX}
         * @param value its text form
         * @return this builder
         * @throws IllegalArgumentException if the name lacks the prefix
         */
        public Builder option(String name, String value) {
            requireNonNull(name, "name is null");
            requireNonNull(value, "value is null");
            if (!name.startsWith(WdMmProperties.PREFIX)) {
                throw new IllegalArgumentException("option=" + name + " must start with " + WdMmProperties.PREFIX);
            }
            options.put(name, value);
            return this;
        }

        /**
         * Sets a typed option (stored in its text form).
         *
         * @param <T> the value type
         * @param option the option
         * @param value its value
         * @return this builder
         */
        public <T> Builder option(WdOption<T> option, T value) {
            return option(
                    requireNonNull(option, "option is null").name(),
                    String.valueOf(requireNonNull(value, "value is null")));
        }

        /**
         * The root under which detection reads {@code sys/} and {@code proc/} (default {@code /}).
         *
         * @param root a directory
         * @return this builder
         */
        public Builder root(Path root) {
            this.root = requireNonNull(root, "root is null");
            return this;
        }

        /**
         * Replaces the mode detector (default: {@link ModeDetector#fromRoot} of {@link #root}).
         *
         * @param detector the detector
         * @return this builder
         */
        public Builder detector(ModeDetector detector) {
            this.detector = requireNonNull(detector, "detector is null");
            return this;
        }

        /**
         * Replaces the configuration sources (default: {@link ConfigSources#system()}).
         *
         * @param sources the sources
         * @return this builder
         */
        public Builder sources(ConfigSources sources) {
            this.sources = requireNonNull(sources, "sources is null");
            return this;
        }

        /**
         * Replaces discovery (default: {@link Discovery#load()}).
         *
         * @param discovery the providers to choose from
         * @return this builder
         */
        public Builder discovery(Discovery discovery) {
            this.discovery = requireNonNull(discovery, "discovery is null");
            return this;
        }

        /**
         * Decides without opening anything: what {@code wd-mm doctor} shows. Never throws for
         * "nothing suitable": that is a selection with an empty {@link Selection#selected()}.
         *
         * @return the decision
         * @throws WdDetectionException if a sysfs/procfs file makes no sense
         * @throws IllegalArgumentException if the properties file cannot be read or
         *     {@value WdMmProperties#BACKEND_FORCE} is not {@code true} or {@code false}
         */
        public Selection select() {
            Discovery found = discovery();
            return Internals.select(found, detector().detect(), configuration(found));
        }

        /**
         * Selects, then opens the selected backend's bridge. Before anything is opened, the
         * selected backend's {@code wd.mm.<backend>.*} keys are checked against the options its
         * provider declares, and their values parsed.
         *
         * @return the opened facade
         * @throws WdSelectionException if no backend can be used, or the one configured or detected
         *     has an unknown key or a bad value (the message names the key, its value and source,
         *     the backend, the known keys and a near miss)
         * @throws WdOpenException if the provider's {@code regionSource} or {@code open} throws; the
         *     message names the backend and the jar it came from, the cause is the provider's exception
         * @throws IllegalArgumentException if the system property {@value LeakReports#PROPERTY} is set
         *     to anything but {@code off}, {@code simple} or {@code paranoid} (checked before anything
         *     is opened)
         */
        public WdMm open() {
            LeakReports.detection(); // a misspelt level fails here, not silently as "simple" later
            Discovery found = discovery();
            Configuration configuration = configuration(found);
            Selection selection = Internals.select(found, detector().detect(), configuration);
            Discovery.Found provider = found.find(selection.requireSelected()).orElseThrow();
            Optional<WdRegionSource> regionSource = Internals.regionSource(provider, configuration.options());
            return new WdMm(selection, Internals.open(provider, configuration.options()), regionSource);
        }

        private Discovery discovery() {
            return discovery != null ? discovery : Discovery.load();
        }

        private ModeDetector detector() {
            return detector != null ? detector : ModeDetector.fromRoot(root);
        }

        private Configuration configuration(Discovery found) {
            return (sources != null ? sources : ConfigSources.system())
                    .resolve(Optional.ofNullable(backend), options, Internals.declaredOptionNames(found));
        }
    }
}
