package dev.wdmm.memory.alloc;

import java.util.List;
import java.util.Objects;

/**
 * Where a live allocation was made, as recorded in checked mode ({@link CheckedMode}): for leak
 * reports and statistics. Immutable.
 *
 * @param address the allocation's start address
 * @param size the requested size in bytes
 * @param sequence the allocation's number in this allocator, from 1 up: smaller is older
 * @param thread the name of the thread that allocated
 * @param frames the caller's stack at the allocation, innermost first (the allocator's own frames
 *     left out, so the first is the bridge's or the caller's {@code alloc} call); at most
 *     {@link #MAX_FRAMES}
 */
public record AllocationSite(long address, long size, long sequence, String thread, List<StackTraceElement> frames) {
    /** Most frames recorded per allocation: {@value}. */
    public static final int MAX_FRAMES = 32;

    /**
     * Checks for nulls and copies the frames.
     *
     * @throws NullPointerException if {@code thread} or {@code frames} is null
     */
    public AllocationSite {
        Objects.requireNonNull(thread, "thread is null");
        frames = List.copyOf(frames);
    }

    /**
     * One line, e.g. {@code va=0x7f.. size=4096 #12 thread=main at com.example.Foo.bar(Foo.java:42)}.
     *
     * @return the summary with the innermost caller frame
     */
    @Override
    public String toString() {
        return "va=0x" + Long.toHexString(address) + " size=" + size + " #" + sequence + " thread=" + thread
                + (frames.isEmpty() ? "" : " at " + frames.getFirst());
    }
}
