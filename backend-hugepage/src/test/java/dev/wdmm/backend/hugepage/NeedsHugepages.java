package dev.wdmm.backend.hugepage;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * A jqwik hook that skips a property container, loudly and with the fix, when no 2 MiB huge pages
 * are free (jqwik would otherwise count every aborted try as a discarded one and fail).
 */
final class NeedsHugepages implements SkipExecutionHook {
    /** Created by jqwik. */
    NeedsHugepages() {
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        long free = HugepageSizes.freeOrUnknown(Hugepages.SYSFS, Hugepages.MIB2);
        if (free >= 4) {
            return SkipResult.doNotSkip();
        }
        String why = "SKIPPED hugepage properties: free 2 MiB huge pages=" + free + ", need 4; reserve them as root: "
                + HugepageSizes.RESERVE_COMMAND;
        System.err.println(why);
        return SkipResult.skip(why);
    }
}
