/**
 * Test support shared by every module through wd-memory's test-jar: the tests' own reading of the
 * kernel ({@link dev.wdmm.memory.testing.Kernel}: pagemap, {@code /proc/self/status}, huge page
 * counts), independent of the code under test; the JVM's per-thread allocation counter
 * ({@link dev.wdmm.memory.testing.Jvm}); and loud skips of tests whose machine lacks what they need
 * ({@link dev.wdmm.memory.testing.NeedsKernel} for JUnit and jqwik classes and methods,
 * {@link dev.wdmm.memory.testing.Skip} inside a test), each printing
 * {@code SKIPPED <test>: <reason>; fix: <fix>}.
 */
package dev.wdmm.memory.testing;
