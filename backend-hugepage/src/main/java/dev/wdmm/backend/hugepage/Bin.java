package dev.wdmm.backend.hugepage;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdOwnershipException;

/**
 * The pages of one size class in one stripe, under the bin's own monitor: a list of pages that
 * have free slots, and the number of entirely empty pages held. Allocation takes a slot from the
 * first listed page (mapping a new huge page when there is none); a free returns the slot and, when
 * it empties the page while more than {@code retainEmpty} empty pages are held, gives the page back
 * to the operating system. No Java object is allocated except when a new page is mapped.
 */
final class Bin {
    private final HugeBridge bridge;
    private final int slotShift;
    private final int retainEmpty;
    private ClassPage head;
    private int emptyPages;
    private long liveSlots;

    Bin(HugeBridge bridge, int slotShift, int retainEmpty) {
        this.bridge = bridge;
        this.slotShift = slotShift;
        this.retainEmpty = retainEmpty;
    }

    /**
     * Allocates one slot.
     *
     * @param requested the caller's size, for an exhaustion message
     * @return the slot's address
     */
    long alloc(long requested) {
        synchronized (this) {
            ensureOpen(requested);
            if (head != null) {
                return takeLocked(requested);
            }
        }
        // map outside the lock: acquiring may trim other bins, which takes their locks
        ClassPage fresh = ClassPage.of(bridge.acquire(1, requested), this, slotShift);
        bridge.adopt(fresh);
        synchronized (this) {
            if (bridge.isClosed()) {
                bridge.releasePage(fresh);
                ensureOpen(requested);
            }
            link(fresh);
            emptyPages++;
            return takeLocked(requested);
        }
    }

    private long takeLocked(long requested) {
        ClassPage page = head;
        if (page.live() == 0) {
            emptyPages--;
        }
        long address = page.take(requested);
        liveSlots++;
        if (page.isFull()) {
            unlink(page);
        }
        return address;
    }

    private void ensureOpen(long requested) {
        if (bridge.isClosed()) {
            throw new WdClosedException("hugepage bridge is closed: alloc(size=" + requested + ") refused");
        }
    }

    /**
     * Gives every empty page of this bin back to the operating system.
     *
     * @return how many pages were released
     */
    synchronized int trim() {
        int released = 0;
        ClassPage page = head;
        while (page != null && emptyPages > 0) {
            ClassPage next = page.next;
            if (page.live() == 0) {
                unlink(page);
                page.released = true;
                emptyPages--;
                released++;
                bridge.releasePage(page);
            }
            page = next;
        }
        return released;
    }

    /**
     * Frees the slot at {@code address} of {@code page}, checking that it is the start of a live slot.
     *
     * @param page the page the directory gave for the address
     * @param address the caller's address
     */
    synchronized void free(ClassPage page, long address) {
        if (bridge.isClosed()) {
            throw new WdClosedException("hugepage bridge is closed: free(va=" + hex(address) + ") refused");
        }
        if (page.released) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.FOREIGN,
                    "va=" + hex(address) + " is not an allocation of this bridge (its huge page was returned to the OS)");
        }
        check(page, address);
        boolean wasFull = page.isFull();
        page.put(address);
        liveSlots--;
        if (wasFull) {
            link(page);
        }
        if (page.live() == 0 && ++emptyPages > retainEmpty) {
            unlink(page);
            page.released = true;
            emptyPages--;
            bridge.releasePage(page);
        }
    }

    private static void check(ClassPage page, long address) {
        long start = page.slotStart(address);
        if (!page.isAllocated(address)) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.ALREADY_FREED,
                    "va=" + hex(address) + " is not a live allocation (slot va=" + hex(start) + " size="
                            + page.slotSize() + " is free: already freed or never allocated)");
        }
        if (start != address) {
            throw new WdOwnershipException(address, WdOwnershipException.Reason.INTERIOR,
                    "va=" + hex(address) + " is interior to the allocation at va=" + hex(start) + " (offset="
                            + (address - start) + "); free takes the start address");
        }
    }

    /** Allocated slots in this bin's pages. */
    synchronized long liveSlots() {
        return liveSlots;
    }

    /** Empty pages this bin holds. */
    synchronized int emptyPages() {
        return emptyPages;
    }

    /** Waits for operations in progress; called by close after the closed flag is set. */
    synchronized void quiesce() {
        head = null;
        liveSlots = 0;
        emptyPages = 0;
    }

    private void link(ClassPage page) {
        page.prev = null;
        page.next = head;
        if (head != null) {
            head.prev = page;
        }
        head = page;
        page.listed = true;
    }

    private void unlink(ClassPage page) {
        if (page.prev != null) {
            page.prev.next = page.next;
        } else {
            head = page.next;
        }
        if (page.next != null) {
            page.next.prev = page.prev;
        }
        page.prev = null;
        page.next = null;
        page.listed = false;
    }
}
