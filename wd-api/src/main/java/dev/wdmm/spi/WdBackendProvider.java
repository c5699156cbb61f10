package dev.wdmm.spi;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A backend: how to get DMA-capable memory and its IOVAs in one or more IOMMU modes.
 *
 * <p>Found by {@link java.util.ServiceLoader}; must have a public no-argument constructor that
 * does no work (no native calls, no file access): discovery instantiates every provider to read
 * its name, and a constructor that throws makes the provider "broken" (reported and skipped).
 * Implementations must be thread-safe and immutable apart from what {@link #open} creates.
 */
public interface WdBackendProvider {

    /**
     * The stable name users put in configuration ({@code wd.mm.backend=...}). Lower case,
     * {@code [a-z0-9-]+}. Built-in names: {@code sva}, {@code noiommu}, {@code passthrough},
     * {@code hugepage}, {@code vfio}. Two providers with one name are an error.
     *
     * @return the name, never null
     */
    String name();

    /**
     * One line saying what the backend does and where it is correct.
     *
     * @return a human-readable description
     */
    String description();

    /**
     * The IOMMU modes this backend gives correct IOVAs in.
     *
     * @return a non-empty set
     */
    Set<IommuMode> modes();

    /**
     * Among available backends serving the detected mode, the highest priority is selected.
     * Built-in priorities: {@code hugepage} 300, {@code passthrough} 200, {@code noiommu} 100,
     * {@code sva} 100, {@code vfio} 400.
     *
     * @return the priority; ties are broken by name
     */
    int priority();

    /**
     * Checks whether this backend can work on this machine now. Must not allocate memory it
     * keeps, and must not throw for an environment problem: that is an {@link WdAvailability.Unavailable}
     * with the reason and the fix.
     *
     * @param environment the machine as seen through the (replaceable) sysfs/procfs root
     * @return available (with details worth showing) or unavailable with reason and fix
     */
    WdAvailability availability(WdEnvironment environment);

    /**
     * The options {@link #open} understands, for documentation and for rejecting typos.
     *
     * @return the options, possibly empty
     */
    default List<WdOption<?>> options() {
        return List.of();
    }

    /**
     * Opens a bridge. Each call returns a new, independent bridge that the caller closes.
     *
     * @param options typed options; unknown keys with this backend's prefix are refused
     * @return a new bridge
     * @throws IllegalArgumentException if an option is invalid (the message names it)
     * @throws IllegalStateException if the backend is not available (the message says why and
     *     how to fix it)
     */
    WdMmBridge open(WdOptions options);

    /**
     * The source of queues' reserved memory for this backend, if it has one.
     *
     * @param options typed options, as for {@link #open}
     * @return the region source, or empty if queues of this backend cannot reserve memory
     */
    default Optional<WdRegionSource> regionSource(WdOptions options) {
        return Optional.empty();
    }
}
