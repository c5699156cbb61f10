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
     * Checks availability as {@link #availability(WdEnvironment)} does, for the options that
     * {@link #open} would receive, so that an option that would make {@code open} fail (a huge
     * page size the machine lacks, a device that is not set) shows as unavailable, with its reason
     * and fix, before anything is selected or opened. wd-core calls this method, never the one
     * without options.
     *
     * <p>The default ignores the options and returns {@link #availability(WdEnvironment)}, so a
     * provider written before this method keeps working unchanged. The same rules apply: no
     * memory kept, no exception for an environment problem, and none for a bad option value
     * either (that is an {@link WdAvailability.Unavailable} naming the option).
     *
     * @param environment the machine as seen through the (replaceable) sysfs/procfs root
     * @param options the options {@link #open} would receive (every {@code wd.mm.*} key configured)
     * @return available (with details worth showing) or unavailable with reason and fix
     */
    default WdAvailability availability(WdEnvironment environment, WdOptions options) {
        return availability(environment);
    }

    /**
     * The options {@link #open} understands, for documentation and for rejecting typos. wd-core
     * refuses, before {@link #open} is called, any configured {@code wd.mm.<name>.*} key (where
     * {@code <name>} is {@link #name()}) that is not declared here, and any value of a declared
     * option that its parser refuses; {@code wd-mm doctor} reports both. Environment variables are
     * matched against these names ({@code WD_MM_} followed by the name after {@code wd.mm.}, upper
     * case, with {@code .} and {@code -} as {@code _}). Must return the same list on every call.
     *
     * @return the options, possibly empty
     */
    default List<WdOption<?>> options() {
        return List.of();
    }

    /**
     * Opens a bridge. Each call returns a new, independent bridge that the caller closes.
     *
     * @param options typed options; through wd-core, unknown keys with this backend's prefix and
     *     unparsable values of declared options have already been refused (a provider may check
     *     again with {@link WdOptions#requireKnown}, for callers that bypass wd-core)
     * @return a new bridge
     * @throws IllegalArgumentException if an option is invalid (the message names it); wd-core
     *     wraps whatever {@code open} throws with this backend's name and the jar it came from
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
