package dev.wdmm.backend.hugepage;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.nativeio.HugepageCounts;
import dev.wdmm.memory.nativeio.Numa;
import dev.wdmm.memory.nativeio.Pagemap;
import dev.wdmm.memory.nativeio.PhysicalAddressing;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code hugepage} backend: a general allocator over pinned {@code MAP_HUGETLB} pages whose
 * IOVAs are physical addresses ({@code NO_IOMMU}, {@code PASSTHROUGH}), translated in O(1) for any
 * interior address. Priority 300. Needs free huge pages of the configured size and
 * {@code CAP_SYS_ADMIN} (pagemap PFNs). Stateless and thread-safe; the constructor does no work.
 *
 * <p>Native access: {@code --enable-native-access=dev.wdmm.memory,dev.wdmm.backend.hugepage} on the
 * module path ({@code ALL-UNNAMED} on the class path); the bridge builds segments over its pages.
 *
 * <p><b>Memory:</b> sizes up to the largest size class come from power-of-two size classes
 * (64 B and up) carved from huge pages; a slot is aligned to its class size and never crosses a
 * huge page. Larger sizes get a run of whole huge pages of their own, unmapped when freed. An
 * emptied class page is returned to the operating system when its stripe already holds
 * {@value HugepageBackendProvider#DEFAULT_RETAIN_EMPTY} (option {@code wd.mm.hugepage.retain-empty})
 * empty pages of that class. An allocation is mapped exactly up to its requested size.
 *
 * <p><b>Translation:</b> IOVAs are physical addresses. {@code iovaMap} and
 * {@code WdAddressAccess.iovaMapAddress} of any range inside one allocation are a table lookup with no system
 * call; a range of a run that crosses from one huge page to a physically non-adjacent one fails
 * with a {@link dev.wdmm.api.WdMappingException} whose {@code breakOffset} is that boundary.
 *
 * <p><b>Lifetime:</b> a segment is a slice of its huge page's mapping: once the page goes back to
 * the kernel ({@code close()}, a run freed, an empty page returned) access through it throws
 * {@link IllegalStateException}. In checked mode ({@code wd.mm.checked=true}, {@link CheckedMode})
 * each allocation has a scope of its own, so access after {@code free} throws too.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once. Allocation and
 * free lock only the calling thread's stripe (or the stripe owning the freed slot); mapping takes
 * no lock. {@code close()} frees everything; calls after it throw
 * {@link dev.wdmm.api.WdClosedException}.
 */
public final class HugepageBackendProvider implements WdBackendProvider {
    /** Default of {@link #RETAIN_EMPTY}. */
    public static final int DEFAULT_RETAIN_EMPTY = 1;

    /** Huge page size: 2 MiB by default, 1 GiB where the machine has such pages. */
    public static final WdOption<Long> SIZE = WdOption.size(
            "wd.mm.hugepage.size",
            2L << 20,
            4096,
            1L << 40,
            "huge page size to allocate (2m, or 1g where the kernel offers it)");
    /** Empty class pages a stripe keeps per size class before giving more back to the OS. */
    public static final WdOption<Long> RETAIN_EMPTY = WdOption.size(
            "wd.mm.hugepage.retain-empty",
            DEFAULT_RETAIN_EMPTY,
            0,
            1 << 20,
            "empty huge pages kept per size class and stripe before unmapping more");
    /** Cap on the huge pages one bridge holds at once; 0 means no cap but the kernel's. */
    public static final WdOption<Long> MAX_PAGES = WdOption.size(
            "wd.mm.hugepage.max-pages",
            0,
            0,
            Long.MAX_VALUE >> 1,
            "most huge pages one bridge holds at once (0: no cap but the free huge pages)");
    /** Allocation stripes (a power of two); 0 picks twice the processors. */
    public static final WdOption<Long> STRIPES = WdOption.size(
            "wd.mm.hugepage.stripes",
            0,
            0,
            1024,
            "allocation stripes, a power of two (0: twice the available processors)");

    private static final String PREFIX = "wd.mm.hugepage.";
    /** The NUMA node the huge pages are bound to (e.g. the device's); default: the kernel's choice. */
    public static final WdOption<Integer> NUMA_NODE = Numa.option("hugepage");

    /** {@code wd.mm.hugepage.limit-bytes}: the most bytes of huge pages the bridge holds at once (default: no limit). */
    public static final WdOption<Long> LIMIT_BYTES = AllocatorSettings.limitOption("hugepage");

    private static final List<WdOption<?>> OPTIONS =
            List.of(SIZE, RETAIN_EMPTY, MAX_PAGES, STRIPES, NUMA_NODE, LIMIT_BYTES);

    /** Creates the provider; does nothing else (discovery instantiates every provider). */
    public HugepageBackendProvider() {}

    @Override
    public String name() {
        return "hugepage";
    }

    @Override
    public String description() {
        return "general allocator over MAP_HUGETLB pages held in place by long-term pins; IOVA = physical address, O(1) for interior"
                + " addresses; correct where devices see physical addresses (no IOMMU, IOMMU passthrough)";
    }

    @Override
    public Set<IommuMode> modes() {
        return EnumSet.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH);
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public List<WdOption<?>> options() {
        return Stream.concat(OPTIONS.stream(), CheckedMode.options().stream()).toList();
    }

    /**
     * Available when the kernel has free huge pages of the default size (2 MiB) and, on the real
     * root, pagemap shows PFNs. Never throws for an environment problem.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment) {
        return availability(environment, WdOptions.empty());
    }

    /**
     * Available when the kernel has free huge pages of the configured {@code wd.mm.hugepage.size}
     * (2 MiB by default) and, on the real root, pagemap shows PFNs. A size that does not parse is
     * unavailable naming it. Never throws for an environment problem.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment, WdOptions options) {
        long size;
        try {
            size = options.get(SIZE);
        } catch (IllegalArgumentException e) {
            return WdAvailability.unavailable(e.getMessage(), "set " + SIZE.name() + " to 2m, or 1g where offered");
        }
        Path sysfs = environment.resolve(HugepageCounts.RELATIVE);
        List<HugepageCounts.Pool> pools;
        try {
            pools = HugepageCounts.read(sysfs);
        } catch (IllegalStateException e) {
            return WdAvailability.unavailable(
                    "cannot read the huge page counts: " + e.getMessage(),
                    "check that sysfs is mounted and readable at " + sysfs);
        }
        List<String> details = new ArrayList<>();
        pools.forEach(pool -> details.add(pool.toString()));
        if (pools.isEmpty()) {
            return new WdAvailability.Unavailable(
                    "the kernel offers no huge pages (" + sysfs + " is missing or empty)",
                    "use a kernel with CONFIG_HUGETLBFS=y, then " + HugepageCounts.RESERVE_COMMAND,
                    details);
        }
        Optional<HugepageCounts.Pool> pool =
                pools.stream().filter(p -> p.pageSize() == size).findFirst();
        if (pool.isEmpty() || pool.get().free() == 0) {
            return new WdAvailability.Unavailable(
                    "no free " + (size >> 20) + " MiB huge pages ("
                            + pool.map(Object::toString).orElse("hugepages-" + (size >> 10) + "kB missing") + ")"
                            + (size == SIZE.defaultValue() ? "" : " for " + SIZE.name() + "=" + size),
                    size == SIZE.defaultValue()
                            ? "reserve them as root: " + HugepageCounts.RESERVE_COMMAND
                            : "reserve them as root: echo 1 > " + sysfs.resolve("hugepages-" + (size >> 10) + "kB")
                                    + "/nr_hugepages, or set " + SIZE.name() + " to a size with free pages",
                    details);
        }
        if (environment.isRealRoot()) {
            Optional<WdAvailability.Unavailable> problem =
                    PhysicalAddressing.check(details, "one pin per mapping of huge pages");
            if (problem.isPresent()) {
                return problem.get();
            }
        }
        return new WdAvailability.Available(details);
    }

    /**
     * Opens a bridge over the real {@code /sys}. Huge pages are mapped on demand, so opening
     * succeeds with none free; allocations then fail with the counts and the fix. The bridge
     * offers {@link dev.wdmm.api.WdAddressAccess} and {@link dev.wdmm.api.WdContiguity} through
     * {@link WdMmBridge#unwrap}; its promises are in the class comment above. Checked mode
     * ({@code wd.mm.checked}, {@link CheckedMode}) is honoured.
     *
     * @throws IllegalArgumentException for an unknown {@code wd.mm.hugepage.*} or
     *     {@code wd.mm.checked.*} key, a bad value, or a huge page size the kernel does not offer
     *     (the offered ones are listed)
     * @throws IllegalStateException if pagemap PFNs are hidden (no {@code CAP_SYS_ADMIN})
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        return open(options, Path.of("/").resolve(HugepageCounts.RELATIVE));
    }

    static HugeBridge open(WdOptions options, Path sysfs) {
        options.requireKnown(PREFIX, OPTIONS);
        CheckedMode checked = CheckedMode.from(options);
        long size = options.get(SIZE);
        List<HugepageCounts.Pool> pools = HugepageCounts.read(sysfs);
        if (pools.stream().noneMatch(pool -> pool.pageSize() == size)) {
            throw new IllegalArgumentException(SIZE.name() + "=" + size
                    + " must be a huge page size the kernel offers: "
                    + pools.stream().map(pool -> Long.toString(pool.pageSize())).toList() + " (from " + sysfs + ")");
        }
        long stripes = options.get(STRIPES);
        if (stripes == 0) {
            stripes = Long.highestOneBit(Math.max(1, 2L * Runtime.getRuntime().availableProcessors() - 1)) << 1;
        } else if (Long.bitCount(stripes) != 1) {
            throw new IllegalArgumentException(STRIPES.name() + "=" + stripes + " must be a power of two");
        }
        Optional<String> cause = Pagemap.unavailabilityCause();
        if (cause.isPresent()) {
            throw new IllegalStateException("hugepage backend unavailable: " + cause.get());
        }
        long maxPages = options.get(MAX_PAGES);
        int node = options.get(NUMA_NODE);
        if (node != Numa.NO_NODE) {
            Numa.requireOnline(node, NUMA_NODE.name());
        }
        return HugeBridge.open(
                size,
                (int) (long) options.get(RETAIN_EMPTY),
                maxPages == 0 ? Long.MAX_VALUE : maxPages,
                node,
                sysfs,
                (int) Math.min(1024, stripes),
                checked,
                options.get(LIMIT_BYTES));
    }
}
