package dev.wdmm.backend.passthrough;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.memory.alloc.CheckedMode;
import dev.wdmm.memory.nativeio.HugepageCounts;
import dev.wdmm.memory.nativeio.PhysicalAddressing;
import dev.wdmm.memory.pool.BlockPoolSetup;
import dev.wdmm.memory.region.RegionSources;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.spi.WdRegionSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code passthrough} backend (priority 200): UADK's reserved-memory model. A queue reserves
 * its DMA region once from huge pages ({@link #regionSource}); a bridge's memory is a block pool
 * of fixed-size blocks over such a region. {@code alloc(size)} with {@code size <=}
 * {@link #BLOCK_SIZE} takes one block (O(1)); a larger size takes a run of adjacent blocks whose
 * whole range the pool has checked to be physically contiguous (UADK v2's {@code wd_mem_alloc};
 * O(blocks), and it briefly holds up single-block calls on other threads), up to the longest such
 * run in the region. {@code bufferSize()} is the block size, the pool's unit. IOVA = physical address, which is
 * what devices see with the IOMMU in passthrough or absent. The hugepage backend (priority 300)
 * stays the default for both modes; select this one by name.
 *
 * <p>Stateless and thread-safe; the constructor does no work. Bridges are thread-safe.
 */
public final class PassthroughBackendProvider implements WdBackendProvider {
    /** Bytes per block: larger allocations take runs of adjacent blocks. */
    public static final WdOption<Long> BLOCK_SIZE = WdOption.size(
            "wd.mm.passthrough.block-size",
            4096,
            1,
            BlockPoolSetup.MAX_BLOCK_SIZE,
            "bytes per block; larger allocations take a run of adjacent, physically contiguous blocks");
    /** Blocks per bridge. */
    public static final WdOption<Long> BLOCK_COUNT = WdOption.size(
            "wd.mm.passthrough.block-count", 1024, 1, BlockPoolSetup.MAX_BLOCK_COUNT, "blocks in a bridge's pool");
    /** Alignment of every block: a power of two from 2 to 4096. */
    public static final WdOption<Long> ALIGN = WdOption.size(
            "wd.mm.passthrough.align", 64, 2, BlockPoolSetup.MAX_ALIGNMENT, "alignment of every block, a power of two");

    /** The command that reserves huge pages, as the fixes name it. */
    static final String RESERVE_COMMAND = HugepageCounts.RESERVE_COMMAND;

    /**
     * {@code wd.mm.passthrough.limit-bytes}: the most bytes of blocks the bridge has allocated at
     * once (an allocation counts its blocks times the block size); default: no limit. The region is
     * reserved whole when the bridge opens, so this limits use, not what is reserved.
     */
    public static final WdOption<Long> LIMIT_BYTES = AllocatorSettings.limitOption("passthrough");

    private static final List<WdOption<?>> OPTIONS = List.of(BLOCK_SIZE, BLOCK_COUNT, ALIGN, LIMIT_BYTES);
    private static final String PREFIX = "wd.mm.passthrough.";
    private static final long HUGE_PAGE = 2L << 20;

    /** Creates the provider; does nothing else (discovery instantiates every provider). */
    public PassthroughBackendProvider() {}

    /**
     * A bridge over a queue's reserved memory (UADK's {@code wd_blkpool_create(q, setup)}): block
     * IOVAs come from the region's slice table. The region stays the queue's: closing the bridge
     * frees its blocks and destroys the pool but does not release the region; close the bridge
     * before the queue.
     *
     * @param queue a queue that has reserved memory ({@link WdQueue#reserveMemory})
     * @param setup block size, count and alignment
     * @return the bridge; {@code bufferSize()} is the block size
     * @throws NullPointerException if an argument is null
     * @throws IllegalStateException if the queue has reserved no memory
     * @throws dev.wdmm.api.WdAllocationException if too few blocks fit the region (87% rule)
     * @throws dev.wdmm.api.WdClosedException if the queue is closed
     */
    public static WdMmBridge bridge(WdQueue queue, BlockPoolSetup setup) {
        Objects.requireNonNull(queue, "queue is null");
        Objects.requireNonNull(setup, "setup is null");
        WdReservedMemory region = queue.reservedMemory()
                .orElseThrow(() -> new IllegalStateException(
                        "queue has no reserved memory; call queue.reserveMemory(size) first"));
        return PassthroughBridge.over(region, setup);
    }

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public String description() {
        return "fixed-size DMA blocks (and runs of adjacent blocks for larger sizes) from a block pool over"
                + " reserved, physically contiguous huge page slices; IOVA = physical address (IOMMU passthrough or"
                + " none); UADK's reserved-memory model";
    }

    @Override
    public Set<IommuMode> modes() {
        return EnumSet.of(IommuMode.PASSTHROUGH, IommuMode.NO_IOMMU);
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public List<WdOption<?>> options() {
        return Stream.concat(OPTIONS.stream(), CheckedMode.options().stream()).toList();
    }

    /**
     * Available when free 2 MiB huge pages exist under the environment's root and, on the real
     * root, pagemap shows PFNs. Never throws for an environment problem.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment) {
        Path sysfs = environment.resolve(HugepageCounts.RELATIVE);
        long free;
        try {
            free = HugepageCounts.find(sysfs, 2L << 20)
                    .map(HugepageCounts.Pool::free)
                    .orElse(0L);
        } catch (IllegalStateException e) {
            return WdAvailability.unavailable(
                    "cannot read the huge page counts: " + e.getMessage(),
                    "check that sysfs is mounted and readable, then " + RESERVE_COMMAND);
        }
        List<String> details = new ArrayList<>();
        details.add("hugepages-2048kB: free_hugepages=" + free);
        if (free <= 0) {
            return new WdAvailability.Unavailable(
                    "no free 2 MiB huge pages (free_hugepages=" + free + " in " + sysfs.resolve("hugepages-2048kB")
                            + ")",
                    "reserve them as root: " + RESERVE_COMMAND,
                    details);
        }
        if (environment.isRealRoot()) {
            Optional<WdAvailability.Unavailable> problem =
                    PhysicalAddressing.check(details, "one pin per reserved region");
            if (problem.isPresent()) {
                return problem.get();
            }
        }
        return new WdAvailability.Available(details);
    }

    /**
     * As {@link #availability(WdEnvironment)}, then checks that the region a bridge reserves for
     * the configured {@code block-count} blocks of {@code block-size} bytes fits the free 2 MiB
     * huge pages (and that these options are valid), since {@link #open} fails otherwise.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment, WdOptions options) {
        WdAvailability machine = availability(environment);
        if (!(machine instanceof WdAvailability.Available available)) {
            return machine;
        }
        BlockPoolSetup setup;
        try {
            setup = setup(options);
        } catch (IllegalArgumentException e) {
            return new WdAvailability.Unavailable(
                    e.getMessage(), "fix the wd.mm.passthrough.* option named", available.details());
        }
        long bytes = regionBytes(setup);
        long pages = (bytes + HUGE_PAGE - 1) / HUGE_PAGE;
        long free = free(environment.resolve(HugepageCounts.RELATIVE));
        if (free < pages) {
            return new WdAvailability.Unavailable(
                    "a bridge's region of " + bytes + " bytes (" + BLOCK_COUNT.name() + "=" + setup.blockCount()
                            + " x " + setup.stride() + "-byte blocks) needs " + pages
                            + " free 2 MiB huge pages, free_hugepages=" + free,
                    "reserve more as root: " + RESERVE_COMMAND + ", or lower " + BLOCK_COUNT.name() + " or "
                            + BLOCK_SIZE.name(),
                    available.details());
        }
        return available;
    }

    /** Bytes a bridge reserves for a setup: every block's stride, plus room to align the first. */
    static long regionBytes(BlockPoolSetup setup) {
        return setup.alignment() - 1 + Math.multiplyExact(setup.stride(), setup.blockCount());
    }

    private static long free(Path sysfs) {
        try {
            return HugepageCounts.find(sysfs, HUGE_PAGE)
                    .map(HugepageCounts.Pool::free)
                    .orElse(0L);
        } catch (IllegalStateException e) {
            return 0;
        }
    }

    /**
     * Opens a bridge over a new region reserved from {@link #regionSource} for
     * {@code block-count} blocks; closing it releases the region.
     *
     * Checked mode ({@code wd.mm.checked}, {@link CheckedMode}) is honoured.
     *
     * @throws IllegalArgumentException for an unknown {@code wd.mm.passthrough.*} or
     *     {@code wd.mm.checked.*} key or a bad value
     * @throws dev.wdmm.api.WdAllocationException if huge pages run short (the message names
     *     {@code free_hugepages} and the sysctl)
     * @throws IllegalStateException if pagemap PFNs are hidden
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        BlockPoolSetup setup = setup(options);
        return PassthroughBridge.reserve(
                RegionSources.hugepages(), setup, CheckedMode.from(options), options.get(LIMIT_BYTES));
    }

    /**
     * The huge page region source ({@link RegionSources#hugepages()}), after checking the options.
     *
     * @throws IllegalArgumentException for an unknown {@code wd.mm.passthrough.*} key or a bad value
     */
    @Override
    public Optional<WdRegionSource> regionSource(WdOptions options) {
        setup(options);
        return Optional.of(RegionSources.hugepages());
    }

    static BlockPoolSetup setup(WdOptions options) {
        Objects.requireNonNull(options, "options is null");
        options.requireKnown(PREFIX, OPTIONS);
        return new BlockPoolSetup(options.get(BLOCK_SIZE), options.get(BLOCK_COUNT), options.get(ALIGN));
    }
}
