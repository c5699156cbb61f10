package dev.wdmm.core;

import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Configuration after precedence ({@link ConfigSources#resolve}). Immutable and thread-safe.
 *
 * @param backend the configured backend name, or empty to let detection choose
 * @param source where {@code backend} came from ({@code "system property wd.mm.backend"}), or
 *     {@code "not configured"}
 * @param options every {@code wd.mm.*} option from all sources, highest precedence winning
 * @param file the properties file that was read, if any
 */
public record Configuration(Optional<String> backend, String source, WdOptions options, Optional<Path> file) {
    /** Checks for nulls. */
    public Configuration {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(options, "options is null");
        Objects.requireNonNull(file, "file is null");
    }
}
