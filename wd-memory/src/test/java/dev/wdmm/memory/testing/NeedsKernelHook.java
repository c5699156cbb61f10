package dev.wdmm.memory.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * jqwik side of {@link NeedsKernel}: skips each property whose needs are unmet before its first try,
 * printing the skip line (an assumption inside a try would only reject that try, and a property
 * whose every try is rejected fails as exhausted; one in {@code @BeforeContainer} is reported as an
 * error).
 */
public final class NeedsKernelHook implements SkipExecutionHook {
    /** Created by jqwik. */
    public NeedsKernelHook() {}

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return true;
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        if (!(context instanceof PropertyLifecycleContext property)) {
            return SkipResult.doNotSkip(); // the container: each property is skipped, named and counted
        }
        List<Needs.Unmet> unmet = Needs.unmet(property.containerClass(), property.targetMethod());
        if (unmet.isEmpty()) {
            return SkipResult.doNotSkip();
        }
        String line = Skip.line(
                property.containerClass().getSimpleName() + "."
                        + property.targetMethod().getName(),
                unmet);
        System.out.println(line);
        return SkipResult.skip(line);
    }
}
