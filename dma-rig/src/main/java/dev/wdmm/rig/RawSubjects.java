package dev.wdmm.rig;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The rig's reference subjects, built without the library: pinned anonymous pages addressed by
 * their physical address from the rig's own pagemap reader, or mapped into a VFIO container at IOVAs
 * the rig chooses. They prove the rig itself before any backend is judged by it.
 */
final class RawSubjects {
    private static final int FLAGS = Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_POPULATE;

    private RawSubjects() {
    }

    static MemorySegment pinnedPages(long size) {
        long rounded = (size + RawPagemap.PAGE - 1) / RawPagemap.PAGE * RawPagemap.PAGE;
        MemorySegment pages = Posix.mmap(rounded, Posix.PROT_READ | Posix.PROT_WRITE, FLAGS, -1, 0);
        Posix.mlock(pages);
        return pages;
    }

    /** Physical addresses read from pagemap by the rig itself. */
    static DmaSubject pagemap() {
        RawPagemap pagemap = RawPagemap.open();
        return new DmaSubject() {
            @Override public String name() { return "raw-pagemap"; }
            @Override public String mode() { return "PA"; }
            @Override public MemorySegment alloc(long size) { return pinnedPages(size); }
            @Override public void free(MemorySegment segment) { Posix.munmap(segment); }
            @Override public long map(MemorySegment segment, long size) {
                return pagemap.contiguous(segment.address(), size);
            }
            @Override public void unmap(MemorySegment segment, long iova, long size) { }
            @Override public void close() { pagemap.close(); }
        };
    }

    /** IOVAs from the rig's own VFIO_IOMMU_MAP_DMA of each allocation, from 4 GiB upward. */
    static DmaSubject vfio(int container) {
        Map<MemorySegment, Long> mapped = new IdentityHashMap<>();
        return new DmaSubject() {
            private long nextIova = 1L << 32;

            @Override public String name() { return "raw-vfio"; }
            @Override public String mode() { return "TRANSLATED"; }
            @Override public MemorySegment alloc(long size) {
                MemorySegment pages = pinnedPages(size);
                Vfio.mapDma(container, pages.address(), nextIova, pages.byteSize());
                mapped.put(pages, nextIova);
                nextIova += pages.byteSize() + (1L << 20);
                return pages;
            }
            @Override public void free(MemorySegment segment) {
                Vfio.unmapDma(container, mapped.remove(segment), segment.byteSize());
                Posix.munmap(segment);
            }
            @Override public long map(MemorySegment segment, long size) {
                for (Map.Entry<MemorySegment, Long> e : mapped.entrySet()) {
                    long offset = segment.address() - e.getKey().address();
                    if (offset >= 0 && offset + size <= e.getKey().byteSize()) {
                        return e.getValue() + offset;
                    }
                }
                throw new RigException("va=0x" + Long.toHexString(segment.address()) + " size=" + size
                        + " is not inside memory mapped by raw-vfio");
            }
            @Override public void unmap(MemorySegment segment, long iova, long size) { }
            @Override public void close() { }
        };
    }
}
