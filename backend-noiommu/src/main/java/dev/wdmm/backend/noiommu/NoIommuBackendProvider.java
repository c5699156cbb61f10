package dev.wdmm.backend.noiommu;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.nativeio.PhysicalAddressing;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code noiommu} backend: pinned, page-backed memory whose IOVA is its physical address,
 * read from {@code /proc/self/pagemap}. Correct where the device sees physical addresses
 * ({@link IommuMode#NO_IOMMU}, {@link IommuMode#PASSTHROUGH}). A range gets one IOVA only when it
 * is physically contiguous; bridges it opens implement
 * {@link dev.wdmm.api.WdContiguity} (through {@code unwrap}) so callers can split ranges that are not.
 *
 * <p>Needs {@code CAP_SYS_ADMIN} (without it pagemap hides frame numbers) and io_uring, through
 * which every 2 MiB chunk the allocations are carved from (and every allocation over 1 MiB, which
 * gets a chunk of its own) is pinned once with {@code FOLL_LONGTERM} ({@link LongTermPins}), so that
 * compaction, migration and memory offlining cannot move it while a device may use its physical
 * address; pins are charged to {@code RLIMIT_MEMLOCK} unless the process has {@code CAP_IPC_LOCK}.
 * Stateless and thread-safe; the constructor does no work.
 */
public final class NoIommuBackendProvider implements WdBackendProvider {
    /** The name users configure: {@code wd.mm.backend=noiommu}. */
    public static final String NAME = "noiommu";

    private static final String PREFIX = "wd.mm." + NAME + ".";

    /** Creates the provider; does no work (discovery instantiates every provider). */
    public NoIommuBackendProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "2 MiB chunks of 4 KiB pages, each held in place by one long-term pin (io_uring fixed buffers) and carved"
                + " by wd-memory's chunk allocator; IOVA = physical address from /proc/self/pagemap, read after pinning;"
                + " for machines without an IOMMU or with the IOMMU in passthrough";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH);
    }

    @Override
    public int priority() {
        return 100;
    }

    /**
     * Checks this process (pagemap and pinning are facts of the running process, not of the sysfs
     * tree, so they are checked for real whatever {@code environment.root()} is): that pagemap
     * shows frame numbers, and that pages can be held in place by a long-term pin
     * ({@link LongTermPins#unavailabilityCause()}). Never throws.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment) {
        Objects.requireNonNull(environment, "environment is null");
        List<String> details = new ArrayList<>();
        Optional<WdAvailability.Unavailable> problem = PhysicalAddressing.check(
                details, "one pin per 2 MiB chunk of pages (an allocation over 1 MiB: one for its own chunk)");
        details.add("page size: " + NativeMemory.pageSize());
        return problem.isPresent() ? problem.get() : WdAvailability.available(details.toArray(String[]::new));
    }

    /** {@code wd.mm.noiommu.limit-bytes}: the most bytes of chunks the bridge holds (pins) at once (default: no limit). */
    public static final WdOption<Long> LIMIT_BYTES = AllocatorSettings.limitOption(NAME);

    /** The NUMA node the pages are bound to (e.g. the device's); default: the kernel's choice. */
    public static final WdOption<Integer> NUMA_NODE = Numa.option("noiommu");

    /**
     * Its option {@code wd.mm.noiommu.numa-node} and the general ones it honours: checked mode
     * ({@link CheckedMode}).
     *
     * @return the options
     */
    @Override
    public List<WdOption<?>> options() {
        return Stream.concat(Stream.of(NUMA_NODE, LIMIT_BYTES), CheckedMode.options().stream())
                .toList();
    }

    /**
     * Opens a new bridge. Its one option is {@code wd.mm.noiommu.numa-node}; any other
     * {@code wd.mm.noiommu.*} key is refused. Checked mode ({@code wd.mm.checked},
     * {@link CheckedMode}) is honoured.
     *
     * @throws IllegalArgumentException if an unknown option of this backend is given, or a checked
     *     mode option is unknown or bad
     * @throws IllegalStateException if the backend is unavailable (reason and fix in the message)
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        Objects.requireNonNull(options, "options is null");
        options.requireKnown(PREFIX, options());
        CheckedMode checked = CheckedMode.from(options);
        WdAvailability availability = availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        if (availability instanceof WdAvailability.Unavailable(String reason, String fix, List<String> details)) {
            throw new IllegalStateException(NAME + " backend unavailable: " + reason + "; fix: " + fix + " " + details);
        }
        int node = options.get(NUMA_NODE);
        if (node != Numa.NO_NODE) {
            Numa.requireOnline(node, NUMA_NODE.name());
        }
        return NoIommuBridge.open(AllocatorSettings.DEFAULT_RETAIN_EMPTY, node, checked, options.get(LIMIT_BYTES));
    }
}
