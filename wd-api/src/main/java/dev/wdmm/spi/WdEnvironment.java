package dev.wdmm.spi;

import dev.wdmm.api.IommuMode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a provider may look at when checking its availability: the root under which
 * {@code sys/} and {@code proc/} are read ({@code /} on a real machine, a fixture tree in tests)
 * and the detected IOMMU mode. Immutable and thread-safe.
 *
 * @param root the file-system root for sysfs and procfs reads
 * @param mode the detected IOMMU mode
 */
public record WdEnvironment(Path root, IommuMode mode) {
    /** Checks for nulls. */
    public WdEnvironment {
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(mode, "mode is null");
    }

    /**
     * Resolves a path such as {@code sys/kernel/mm/hugepages} against {@link #root()}.
     *
     * @param relative a path relative to the root, without a leading slash
     * @return the resolved path
     */
    public Path resolve(String relative) {
        return root.resolve(relative);
    }

    /**
     * Whether {@link #root()} is the real {@code /}, so that process-wide facts
     * ({@code /proc/self/pagemap}, resource limits) are this process's own.
     *
     * @return true on the real root
     */
    public boolean isRealRoot() {
        return root.toAbsolutePath().normalize().equals(Path.of("/"));
    }
}
