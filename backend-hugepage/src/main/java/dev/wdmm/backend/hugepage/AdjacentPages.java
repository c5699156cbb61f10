package dev.wdmm.backend.hugepage;

import dev.wdmm.api.WdAllocRequest;
import dev.wdmm.api.WdConstraintException;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.Pagemap;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Physically contiguous runs of several huge pages, as DPDK's EAL builds its IOVA-contiguous
 * segments: maps up to {@value #MAX_CANDIDATES} free huge pages one by one, reads each one's frame
 * from pagemap, picks {@code pages} whose frames follow each other, moves them in frame order into
 * one virtual range ({@code mremap}) and unmaps the others. Used for a run acquired while
 * {@link #REQUEST} is bound (a contiguous {@link dev.wdmm.api.WdConstrainedAlloc} request); the
 * caller then pins the range and reads pagemap again, so a frame that moved before the pin shows
 * up as a break the constrained allocation refuses. Candidates are mapped beyond the bridge's
 * page cap for the moment of the search. Stateless and thread-safe.
 */
final class AdjacentPages {
    /** Bound by the bridge for the duration of a contiguous constrained allocation. */
    static final ScopedValue<WdAllocRequest> REQUEST = ScopedValue.newInstance();

    /** Most free huge pages mapped to look for adjacent frames. */
    static final int MAX_CANDIDATES = 64;

    private AdjacentPages() {}

    /**
     * Maps {@code pages} huge pages with adjacent frames at one range, in frame order.
     *
     * @return the range, a whole mapping of {@link NativeMemory}
     * @throws WdConstraintException if no {@code pages} adjacent frames are among the free pages
     *     mapped (the longest run found is named; nothing is kept)
     * @throws WdNativeException if moving the pages fails (nothing is kept)
     */
    static MemorySegment map(long pages, long pageSize, int flags, Pagemap pagemap, long free) {
        int wanted = (int) Math.max(pages, Math.min(free, MAX_CANDIDATES));
        List<MemorySegment> mapped = new ArrayList<>();
        try {
            for (int i = 0; i < wanted; i++) {
                try {
                    mapped.add(NativeMemory.mmap(pageSize, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, flags));
                } catch (WdNativeException e) {
                    break; // no more free huge pages: search what we have
                }
            }
            long[] frames = new long[mapped.size()];
            for (int i = 0; i < frames.length; i++) {
                // frame address in the high bits, candidate index in the low ones: sorting keeps both
                frames[i] = pagemap.physicalAddress(mapped.get(i).address()) | i;
            }
            Arrays.sort(frames);
            int longest = frames.length == 0 ? 0 : 1;
            int start = 0;
            for (int i = 1; i < frames.length && longest < pages; i++) {
                if ((frames[i] & -pageSize) != (frames[i - 1] & -pageSize) + pageSize) {
                    start = i;
                }
                longest = Math.max(longest, i - start + 1);
            }
            if (longest < pages) {
                throw refusal(pages, pageSize, mapped.size(), longest, free);
            }
            return moveTogether(mapped, frames, start, (int) pages, pageSize);
        } finally {
            for (MemorySegment page : mapped) {
                if (page != null) {
                    NativeMemory.munmap(page);
                }
            }
        }
    }

    /** Moves candidates {@code frames[start .. start + pages)} into one fresh range; clears them from {@code mapped}. */
    private static MemorySegment moveTogether(
            List<MemorySegment> mapped, long[] frames, int start, int pages, long pageSize) {
        MemorySegment window = NativeMemory.mmapAligned(
                pages * pageSize,
                pageSize,
                NativeMemory.PROT_READ,
                NativeMemory.MAP_PRIVATE | NativeMemory.MAP_NORESERVE);
        try {
            for (int j = 0; j < pages; j++) {
                int index = (int) (frames[start + j] & (pageSize - 1));
                NativeMemory.moveInto(mapped.get(index), window, j * pageSize);
                mapped.set(index, null);
            }
        } catch (RuntimeException e) {
            NativeMemory.munmap(window);
            throw e;
        }
        return window;
    }

    /** The kernel refused to pin the moved pages: the contiguous request is refused (nothing is kept). */
    static WdConstraintException pinRefused(long pages, long pageSize, WdNativeException cause) {
        WdAllocRequest request = REQUEST.get();
        WdConstraintException e = new WdConstraintException(
                request,
                WdConstraintException.Constraint.CONTIGUOUS,
                pageSize,
                "constrained alloc refused: " + request + " backend=hugepage: CONTIGUOUS found " + pages
                        + " adjacent huge pages but this kernel refused to pin them once moved together ("
                        + cause.getMessage() + "); one huge page (" + pageSize + " bytes) is the largest contiguous"
                        + " allocation it can give; nothing was kept");
        e.initCause(cause);
        return e;
    }

    private static WdConstraintException refusal(long pages, long pageSize, int candidates, int longest, long free) {
        WdAllocRequest request = REQUEST.get();
        return new WdConstraintException(
                request,
                WdConstraintException.Constraint.CONTIGUOUS,
                longest * pageSize,
                "constrained alloc refused: " + request + " backend=hugepage: CONTIGUOUS needs " + pages
                        + " huge pages of " + pageSize + " bytes with adjacent frames; among the " + candidates
                        + " free huge pages mapped (free_hugepages=" + free + ") the longest adjacent run is "
                        + longest + " pages = " + longest * pageSize + " bytes, the largest contiguous allocation"
                        + " this machine can give right now; fix: ask for at most that much, or reserve huge"
                        + " pages right after boot (hugepages= on the kernel command line), when free memory is"
                        + " still in long runs; nothing was kept");
    }
}
