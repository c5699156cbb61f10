package dev.wdmm.memory.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a test class or method needs of the machine. Where a need is unmet, every test it covers is
 * skipped, each printing {@code SKIPPED <Class.method>: <reason>; fix: <fix>} to stdout: a JUnit
 * test through an assumption (counted as skipped), a jqwik property before its first try (instead
 * of rejecting every try and failing as exhausted). Works on JUnit Jupiter and jqwik classes alike;
 * a class's needs and its method's needs add up.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NeedsKernelExtension.class)
@AddLifecycleHook(NeedsKernelHook.class)
public @interface NeedsKernel {
    /**
     * Physical addresses in {@code /proc/self/pagemap}, i.e. {@code CAP_SYS_ADMIN}.
     *
     * @return whether frame numbers must be visible
     */
    boolean pfns() default false;

    /**
     * Long-term pins through io_uring (io_uring allowed, a memlock budget for the pins).
     *
     * @return whether pinning must work here
     */
    boolean pinning() default false;

    /**
     * Free 2 MiB huge pages.
     *
     * @return how many must be free, 0 for none
     */
    long freeHugepages() default 0;

    /**
     * Programs that must be executable, by absolute path.
     *
     * @return the paths
     */
    String[] executables() default {};
}
