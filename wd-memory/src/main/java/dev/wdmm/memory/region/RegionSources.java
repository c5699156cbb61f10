package dev.wdmm.memory.region;

import dev.wdmm.spi.WdRegionSource;
import java.nio.file.Path;

/**
 * Factories for the built-in {@link WdRegionSource}s.
 *
 * <p>Thread-safety: the factories are stateless; every source they return may be used from any
 * number of threads.
 */
public final class RegionSources {
    /** Where the kernel publishes huge page counts. */
    static final Path SYSFS = Path.of("/sys/kernel/mm/hugepages");

    private RegionSources() {}

    /**
     * A source of reserved memory backed by 2 MiB huge pages. {@code reserve(size)} maps
     * {@code ceil(size / 2 MiB)} huge pages in one pre-populated {@code MAP_HUGETLB} mapping kept
     * out of forked children, holds it in place with a long-term pin
     * ({@link dev.wdmm.memory.nativeio.LongTermPins}) for as long as it is reserved, reads each huge
     * page's physical address once from {@code /proc/self/pagemap} after pinning, and returns
     * slices that are the maximal runs of physically adjacent huge pages; DMA address = physical
     * address. {@code release} validates that the region is one this source reserved and still
     * holds, then unpins and unmaps it.
     *
     * <p>Failure modes of {@code reserve}: {@code size <= 0} or larger than
     * {@link #MAX_RESERVATION} is an {@link IllegalArgumentException}; too few free huge pages is
     * a {@link dev.wdmm.api.WdAllocationException} naming {@code free_hugepages} and the fix
     * ({@code sysctl vm.nr_hugepages=N}); hidden PFNs (no {@code CAP_SYS_ADMIN}) or pinning
     * refused (io_uring disabled, memlock budget) is an {@link IllegalStateException} or a
     * {@link dev.wdmm.api.WdNativeException} naming the fix (nothing stays mapped).
     *
     * @return a new source; each source tracks only the regions it reserved
     */
    public static WdRegionSource hugepages() {
        return HugepageRegionSource.create(SYSFS);
    }

    /** The largest size one {@code hugepages()} reservation accepts: 1 TiB. */
    public static final long MAX_RESERVATION = 1L << 40;
}
