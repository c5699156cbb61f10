/**
 * Test support shared by every module through wd-core's test-jar: the tests' own reading of the
 * kernel ({@link dev.wdmm.core.testing.Kernel}: pagemap, {@code /proc/self/status}, huge page
 * counts), independent of the code under test; the JVM's per-thread allocation counter
 * ({@link dev.wdmm.core.testing.Jvm}); and loud skips of tests whose machine lacks what they need
 * ({@link dev.wdmm.core.testing.NeedsKernel} for JUnit and jqwik classes and methods,
 * {@link dev.wdmm.core.testing.Skip} inside a test), each printing
 * {@code SKIPPED <test>: <reason>; fix: <fix>}.
 */
package dev.wdmm.core.testing;
