package dev.wdmm.rig;

import dev.wdmm.memory.nativeio.LongTermPins;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The rig's reference subjects, built without the library's allocators: anonymous pages held in
 * place by a long-term pin and addressed by their physical address from the rig's own pagemap
 * reader, or mapped into a VFIO container at IOVAs the rig chooses. They prove the rig itself
 * before any backend is judged by it.
 */
final class RawSubjects {
    private static final int FLAGS = Posix.MAP_PRIVATE | Posix.MAP_ANONYMOUS | Posix.MAP_POPULATE;

    private RawSubjects() {}

    /**
     * Fresh anonymous pages, faulted in and mlocked: resident, but not held in place ({@code mlock}
     * does not stop compaction or offlining from moving them). Enough for raw-vfio, whose
     * {@code VFIO_IOMMU_MAP_DMA} pins the pages itself; raw-pagemap pins them (see {@link #pagemap}).
     */
    static MemorySegment lockedPages(long size) {
        MemorySegment pages = Posix.mmap(roundUp(size), Posix.PROT_READ | Posix.PROT_WRITE, FLAGS, -1, 0);
        Posix.mlock(pages);
        return pages;
    }

    /**
     * Physical addresses read from pagemap by the rig itself, of pages held in place by a long-term
     * pin ({@link LongTermPins}, {@code FOLL_LONGTERM}): pinned first, pagemap read after, unpinned
     * before {@code munmap}.
     */
    static DmaSubject pagemap() {
        return new PinnedPagemap(RawPagemap.open());
    }

    /** IOVAs from the rig's own VFIO_IOMMU_MAP_DMA of each allocation, from 4 GiB upward. */
    static DmaSubject vfio(int container) {
        Map<MemorySegment, Long> mapped = new IdentityHashMap<>();
        return new DmaSubject() {
            private long nextIova = 1L << 32;

            @Override
            public String name() {
                return "raw-vfio";
            }

            @Override
            public String mode() {
                return "TRANSLATED";
            }

            @Override
            public MemorySegment alloc(long size) {
                // mlock is enough here: VFIO_IOMMU_MAP_DMA takes its own long-term pin of every page it maps
                MemorySegment pages = lockedPages(size);
                Vfio.mapDma(container, pages.address(), nextIova, pages.byteSize());
                mapped.put(pages, nextIova);
                nextIova += pages.byteSize() + (1L << 20);
                return pages;
            }

            @Override
            public void free(MemorySegment segment) {
                Vfio.unmapDma(container, mapped.remove(segment), segment.byteSize());
                Posix.munmap(segment);
            }

            @Override
            public long map(MemorySegment segment, long size) {
                for (Map.Entry<MemorySegment, Long> e : mapped.entrySet()) {
                    long offset = segment.address() - e.getKey().address();
                    if (offset >= 0 && offset + size <= e.getKey().byteSize()) {
                        return e.getValue() + offset;
                    }
                }
                throw new RigException("va=0x" + Long.toHexString(segment.address()) + " size=" + size
                        + " is not inside memory mapped by raw-vfio");
            }

            @Override
            public void unmap(MemorySegment segment, long iova, long size) {}

            @Override
            public void close() {}
        };
    }

    private static long roundUp(long size) {
        return (size + RawPagemap.PAGE - 1) / RawPagemap.PAGE * RawPagemap.PAGE;
    }

    /**
     * Subject raw-pagemap: every allocation is its own anonymous mapping with a long-term pin; the
     * device address of a range is the physical address pagemap gives for it now (after the pin).
     * Not thread-safe.
     */
    private static final class PinnedPagemap implements DmaSubject {
        /** One allocation: its mapping and the pin that holds it. */
        private record Pinned(MemorySegment pages, LongTermPins.Pin pin) {}

        private final RawPagemap pagemap;
        private final LongTermPins pins;
        private final Map<Long, Pinned> live = new HashMap<>();

        PinnedPagemap(RawPagemap pagemap) {
            this.pagemap = pagemap;
            try {
                this.pins = LongTermPins.open("rig raw-pagemap");
            } catch (RuntimeException e) {
                pagemap.close();
                throw e;
            }
        }

        @Override
        public String name() {
            return "raw-pagemap";
        }

        @Override
        public String mode() {
            return "PA";
        }

        /** Maps and faults in fresh pages, then pins them; their physical addresses are read only after. */
        @Override
        public MemorySegment alloc(long size) {
            MemorySegment pages = Posix.mmap(roundUp(size), Posix.PROT_READ | Posix.PROT_WRITE, FLAGS, -1, 0);
            try {
                live.put(pages.address(), new Pinned(pages, pins.pin(pages)));
            } catch (RuntimeException e) {
                Posix.munmap(pages);
                throw e;
            }
            return pages;
        }

        /** Unpins, then unmaps. */
        @Override
        public void free(MemorySegment segment) {
            Pinned pinned = live.remove(segment.address());
            if (pinned == null) {
                throw new RigException(
                        "va=0x" + Long.toHexString(segment.address()) + " is not a live raw-pagemap" + " allocation");
            }
            pins.unpin(pinned.pin());
            Posix.munmap(pinned.pages());
        }

        @Override
        public long map(MemorySegment segment, long size) {
            return pagemap.contiguous(segment.address(), size);
        }

        @Override
        public void unmap(MemorySegment segment, long iova, long size) {}

        /** Unpins everything still allocated (closing the pins), then unmaps it. */
        @Override
        public void close() {
            pins.close();
            for (Pinned pinned : new ArrayList<>(live.values())) {
                Posix.munmap(pinned.pages());
            }
            live.clear();
            pagemap.close();
        }
    }
}
