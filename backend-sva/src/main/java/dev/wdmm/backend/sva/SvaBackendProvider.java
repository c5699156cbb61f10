package dev.wdmm.backend.sva;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code sva} backend: ordinary anonymous memory whose IOVA is its virtual address, carved
 * from 2 MiB chunks by wd-memory's {@link dev.wdmm.memory.alloc.ChunkAllocator}. Correct only
 * where the device really shares the process's page tables (SVA with PASID, e.g. a UACCE device
 * whose {@code flags} have bit 0 set); anywhere else a device given these addresses would write
 * the wrong memory. Always available, since nothing on the host is needed; selection only picks
 * it by detection when the mode is {@link IommuMode#SVA}.
 *
 * <p>Stateless and thread-safe; each {@link #open} returns a new, independent bridge.
 */
public final class SvaBackendProvider implements WdBackendProvider {
    /** The name users configure: {@code wd.mm.backend=sva}. */
    public static final String NAME = "sva";

    /** Prefix of this backend's options. */
    static final String PREFIX = "wd.mm.sva.";

    /**
     * {@code wd.mm.sva.prefault}: touch one byte per page of every chunk of memory when the bridge
     * acquires it (2 MiB chunks carved into allocations, or a large allocation's own chunk), so
     * that the pages of every allocation are present before the device sees them (UADK measured
     * ~1.9 GB/s vs ~7 GB/s without and with pre-faulting). Default false.
     */
    public static final WdOption<Boolean> PREFAULT = WdOption.bool(
            PREFIX + "prefault",
            false,
            "touch one byte per page of every chunk when it is acquired, so the device never faults on an allocation");

    /** Creates the provider; does no work. */
    public SvaBackendProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "identity mapping (IOVA == virtual address) over 2 MiB chunks of anonymous memory carved by wd-memory's"
                + " chunk allocator; correct only where the device shares the process's page tables (SVA/PASID)";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.SVA);
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public WdAvailability availability(WdEnvironment environment) {
        return WdAvailability.available(
                "IOVA == virtual address: correct only where the device shares this process's page tables (SVA)");
    }

    /** {@code wd.mm.sva.limit-bytes}: the most bytes of chunks the bridge holds at once (default: no limit). */
    public static final WdOption<Long> LIMIT_BYTES = AllocatorSettings.limitOption(NAME);

    /** The NUMA node the memory is bound to (e.g. the device's); default: the kernel's choice. */
    public static final WdOption<Integer> NUMA_NODE = Numa.option("sva");

    @Override
    public List<WdOption<?>> options() {
        return Stream.concat(Stream.of(PREFAULT, NUMA_NODE, LIMIT_BYTES), CheckedMode.options().stream())
                .toList();
    }

    /**
     * Opens a bridge.
     *
     * @param options {@code wd.mm.sva.prefault}, {@code wd.mm.sva.numa-node}, {@code wd.mm.sva.limit-bytes} and checked mode
     *     ({@code wd.mm.checked}, {@link CheckedMode}); any other {@code wd.mm.sva.*} or
     *     {@code wd.mm.checked.*} key is refused
     * @return a new bridge
     * @throws IllegalArgumentException for an unknown {@code wd.mm.sva.*} or {@code wd.mm.checked.*}
     *     key or a bad value
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        options.requireKnown(PREFIX, options());
        CheckedMode checked = CheckedMode.from(options);
        int node = options.get(NUMA_NODE);
        if (node != Numa.NO_NODE) {
            Numa.requireOnline(node, NUMA_NODE.name());
        }
        return SvaBridge.open(options.get(PREFAULT), node, checked, options.get(LIMIT_BYTES));
    }

    @Override
    public String toString() {
        return "SvaBackendProvider[name=sva]";
    }
}
