package dev.wdmm.core;

import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Configuration after precedence ({@link ConfigSources#resolve}). Immutable and thread-safe.
 *
 * @param backend the configured backend name, or empty to let detection choose
 * @param source where {@code backend} came from ({@code "system property wd.mm.backend"}), or
 *     {@code "not configured"}
 * @param options every {@code wd.mm.*} option from all sources, highest precedence winning
 *     (without {@value WdMmProperties#BACKEND}, {@value WdMmProperties#BACKEND_FORCE} and
 *     {@value WdMmProperties#CONFIG})
 * @param file the properties file that was read, if any
 * @param force whether {@value WdMmProperties#BACKEND_FORCE} is {@code true}
 * @param origins where each configured key's winning value came from
 *     ({@code "environment variable WD_MM_HUGEPAGE_RETAIN_EMPTY"}), by property name
 */
public record Configuration(
        Optional<String> backend,
        String source,
        WdOptions options,
        Optional<Path> file,
        boolean force,
        Map<String, String> origins) {
    /** Checks for nulls and copies the origins (sorted). */
    public Configuration {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(file, "file is null");
        origins = java.util.Collections.unmodifiableMap(new TreeMap<>(origins));
    }

    /**
     * A configuration that does not force and records no origins.
     *
     * @param backend the configured backend name, or empty
     * @param source where {@code backend} came from
     * @param options the options
     * @param file the properties file read, if any
     */
    public Configuration(Optional<String> backend, String source, WdOptions options, Optional<Path> file) {
        this(backend, source, options, file, false, Map.of());
    }

    /**
     * Where a key's value came from, for messages.
     *
     * @param key a property name
     * @return the origin, or {@code "configuration"} when none was recorded
     */
    public String origin(String key) {
        return origins.getOrDefault(key, "configuration");
    }
}
