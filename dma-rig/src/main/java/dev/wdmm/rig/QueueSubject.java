package dev.wdmm.rig;

import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.core.WdMm;
import java.lang.foreign.MemorySegment;

/**
 * A queue's reserved memory as a DMA subject: {@code WdMm.builder().backend(name).open().openQueue()},
 * then {@code reserveMemory(size)}; buffers are carved at interior offsets of the reserved segment
 * (a bump cursor that starts {@link #START_BEFORE_2M} bytes before the first 2 MiB boundary, so that
 * some buffers straddle a huge page and possibly a slice boundary, and advances by an odd gap), and
 * their device addresses come from {@link WdQueue#iovaMap}, i.e. the queue's slice arithmetic.
 * Ranges that cross slices are refused by the queue and moved page piece by page piece by
 * {@link RoundTrip}. Not thread-safe.
 */
final class QueueSubject implements DmaSubject {
    /** Reserved bytes: two 2 MiB huge pages. */
    static final long RESERVED = 4L << 20;

    private static final long START_BEFORE_2M = 100_003;
    private static final long GAP = 777;

    private final String name;
    private final WdMm mm;
    private final WdQueue queue;
    private final MemorySegment reserved;
    private long cursor;

    private QueueSubject(String name, WdMm mm, WdQueue queue, WdReservedMemory region) {
        this.name = name;
        this.mm = mm;
        this.queue = queue;
        this.reserved = region.segment();
        this.cursor = (2L << 20) - START_BEFORE_2M;
    }

    /** Opens the facade with backend {@code backend}, a queue, and reserves {@link #RESERVED} bytes. */
    static QueueSubject open(String name, String backend) {
        WdMm mm = WdMm.builder().backend(backend).open();
        try {
            WdQueue queue = mm.openQueue();
            WdReservedMemory region = queue.reserveMemory(RESERVED);
            System.out.println("INFO " + name + " backend=" + backend + " mode="
                    + mm.selection().mode() + " reserved=" + region.segment().byteSize() + " slices="
                    + region.slices().size());
            return new QueueSubject(name, mm, queue, region);
        } catch (RuntimeException e) {
            mm.close();
            throw e;
        }
    }

    /** Buffers served so far come from the reserved segment; the cursor wraps to its start when full. */
    @Override
    public MemorySegment alloc(long size) {
        if (size > reserved.byteSize()) {
            throw new RigException("size=" + size + " must be <= reserved=" + reserved.byteSize());
        }
        if (cursor + size > reserved.byteSize()) {
            cursor = GAP;
        }
        MemorySegment slice = reserved.asSlice(cursor, size);
        cursor += size + GAP;
        return slice;
    }

    /** Nothing to free: the reserved memory belongs to the queue until it closes. */
    @Override
    public void free(MemorySegment segment) {}

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mode() {
        return "PA";
    }

    @Override
    public long map(MemorySegment segment, long size) {
        return queue.iovaMap(segment, size);
    }

    @Override
    public void unmap(MemorySegment segment, long iova, long size) {
        queue.iovaUnmap(segment, iova, size);
    }

    /** Closes the queue (releasing the reserved memory) and the facade. */
    @Override
    public void close() {
        mm.close();
    }
}
