package dev.wdmm.memory.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;

/**
 * JUnit Jupiter side of {@link NeedsKernel}: checks each test's needs before its instance is
 * constructed (field initializers may open what the machine lacks) and again before each test
 * (for needs declared on the method only), printing the skip line and aborting through an
 * assumption, so that every skipped test is counted and named.
 */
public final class NeedsKernelExtension implements TestInstancePreConstructCallback, BeforeEachCallback {
    /** Created by JUnit. */
    public NeedsKernelExtension() {}

    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    @Override
    public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
        check(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return; // a class-level context: checked per test instead, so that each skip is named and counted
        }
        List<Needs.Unmet> unmet = Needs.unmet(context.getRequiredTestClass(), context.getRequiredTestMethod());
        if (!unmet.isEmpty()) {
            String line = Skip.line(
                    context.getRequiredTestClass().getSimpleName() + "."
                            + context.getRequiredTestMethod().getName(),
                    unmet);
            System.out.println(line);
            assumeTrue(false, line);
        }
    }
}
