package dev.wdmm.memory.testing;

import java.util.function.BooleanSupplier;

/** Garbage collection for tests of what happens to unreachable objects: bounded in count, never in time. */
public final class Gc {
    /** Collections tried at most. */
    public static final int MAX_ROUNDS = 50;

    private Gc() {}

    /**
     * Runs {@link System#gc()} until {@code done} holds, at most {@link #MAX_ROUNDS} times, with
     * a short pause after each (for the Cleaner's thread).
     *
     * @param done the condition
     * @return whether it held
     */
    public static boolean until(BooleanSupplier done) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (done.getAsBoolean()) {
                return true;
            }
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return done.getAsBoolean();
            }
        }
        return done.getAsBoolean();
    }
}
