package dev.wdmm.memory.testing;

/** The JVM's own counters, read the way garbage-free tests need them. */
public final class Jvm {
    private Jvm() {}

    /**
     * The JVM's count of bytes the calling thread allocated (reflective: a module under test may not
     * read {@code java.management}).
     *
     * @return bytes allocated by this thread so far
     */
    public static long allocatedBytes() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean")
                    .invoke(null);
            return (long) Class.forName("com.sun.management.ThreadMXBean")
                    .getMethod("getCurrentThreadAllocatedBytes")
                    .invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("per-thread allocation counter unavailable", e);
        }
    }
}
