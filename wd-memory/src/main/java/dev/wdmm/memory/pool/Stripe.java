package dev.wdmm.memory.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One stripe of a pool's per-thread caches: a small magazine of free block indices behind a
 * spin lock that is uncontended in the common case (threads map to stripes by id). Counters are
 * written under the lock and read racily by statistics.
 */
final class Stripe {
    static final int CAPACITY = 64;
    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(Stripe.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // padding keeps neighbouring stripes' hot fields off one cache line
    long p1, p2, p3, p4, p5, p6, p7;
    private volatile int lock;
    final int[] cache = new int[CAPACITY];
    int count;
    long allocs;
    long frees;
    long q1, q2, q3, q4, q5, q6, q7;

    void lock() {
        if ((int) LOCK.getAndSet(this, 1) != 0) {
            lockContended();
        }
    }

    /** Kept out of {@link #lock} so the uncontended path stays small enough to inline. */
    private void lockContended() {
        int spins = 0;
        while ((int) LOCK.getOpaque(this) != 0 || !LOCK.compareAndSet(this, 0, 1)) {
            if (++spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }

    /** Outstanding blocks allocated minus freed through this stripe (may be negative). */
    long balance() {
        return allocs - frees;
    }
}
