package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.nativeio.PhysicalContiguity;

/**
 * The bridge of the hugepage backend: {@link WdMmBridge} over pinned {@code MAP_HUGETLB} pages,
 * plus an address API that allocates no Java objects at all (for benchmarks and for callers that
 * keep raw addresses), the contiguous-length query and the allocator's counters.
 *
 * <p><b>Memory:</b> sizes up to {@link #largestClass()} come from power-of-two size classes
 * (64 B and up) carved from huge pages; a slot is aligned to its class size and never crosses a
 * huge page. Larger sizes get a run of whole huge pages of their own, unmapped when freed. An
 * emptied class page is returned to the operating system when its stripe already holds
 * {@value HugepageBackendProvider#DEFAULT_RETAIN_EMPTY} (option {@code wd.mm.hugepage.retain-empty})
 * empty pages of that class. An allocation is mapped exactly up to its requested size.
 *
 * <p><b>Translation:</b> IOVAs are physical addresses. {@link #iovaMap} and
 * {@link #iovaMapAddress} of any range inside one allocation are a table lookup with no system
 * call; a range of a run that crosses from one huge page to a physically non-adjacent one fails
 * with a {@link dev.wdmm.api.WdMappingException} whose {@code breakOffset} is that boundary.
 *
 * <p><b>Lifetime:</b> a segment is a slice of its huge page's mapping: once the page goes back to
 * the kernel (close, a run freed, an empty page returned) access through it throws
 * {@link IllegalStateException}. In checked mode ({@code wd.mm.checked=true}) each allocation has a
 * scope of its own, so access after {@code free} throws too; see
 * {@link dev.wdmm.memory.alloc.CheckedMode}.
 *
 * <p><b>Thread-safety:</b> every method may be called from many threads at once. Allocation and
 * free lock only the calling thread's stripe (or the stripe owning the freed slot); mapping takes
 * no lock. {@link #close()} frees everything; calls after it throw
 * {@link dev.wdmm.api.WdClosedException}.
 */
public interface HugepageBridge extends WdMmBridge, PhysicalContiguity {

    /**
     * Allocates like {@link #alloc(long)} but returns the address, allocating no Java object.
     *
     * @param size bytes, {@code > 0}
     * @return the start address of at least {@code size} usable bytes
     * @throws IllegalArgumentException if {@code size <= 0} or larger than this bridge can serve
     * @throws dev.wdmm.api.WdAllocationException when huge pages are exhausted (counts and fix named)
     * @throws dev.wdmm.api.WdClosedException after close
     */
    long allocAddress(long size);

    /**
     * Frees like {@link #free} by start address, allocating no Java object.
     *
     * @param address the start of a live allocation of this bridge
     * @throws dev.wdmm.api.WdOwnershipException if foreign, interior or already freed
     * @throws dev.wdmm.api.WdClosedException after close
     */
    void freeAddress(long address);

    /**
     * Maps like {@link #iovaMap} by address: O(1) per huge page touched, no system call, no lock,
     * no Java object unless it throws.
     *
     * @param address any address inside a live allocation
     * @param size bytes, {@code > 0}; the range must stay inside the allocation's usable size
     * @return the IOVA (physical address) of {@code address}
     * @throws IllegalArgumentException if {@code size <= 0} or the range wraps or leaves the allocation
     * @throws dev.wdmm.api.WdOwnershipException if the address is not inside a live allocation
     * @throws dev.wdmm.api.WdMappingException if the range crosses non-adjacent huge pages
     * @throws dev.wdmm.api.WdClosedException after close
     */
    long iovaMapAddress(long address, long size);

    /**
     * The huge page size this bridge allocates ({@code wd.mm.hugepage.size}).
     *
     * @return bytes
     */
    long hugePageSize();

    /**
     * The largest size served from a size class; larger sizes get runs of whole huge pages.
     *
     * @return bytes
     */
    long largestClass();

    /**
     * Huge pages this bridge holds right now (class pages, empty or not, and run pages).
     *
     * @return the count
     */
    long heldPages();

    /**
     * How many allocations have failed for want of huge pages since the bridge was opened.
     *
     * @return the count
     */
    long allocFailures();

    /**
     * Live allocations (allocated and not yet freed).
     *
     * @return the count
     */
    long liveAllocations();
}
