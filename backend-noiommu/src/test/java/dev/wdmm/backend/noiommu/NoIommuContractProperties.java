package dev.wdmm.backend.noiommu;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.contract.WdMmBridgeContractProperties;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/** The shared bad-input properties of wd-core, run against the no-IOMMU bridge. */
@AddLifecycleHook(NoIommuContractProperties.NeedsPfns.class)
class NoIommuContractProperties extends WdMmBridgeContractProperties {
    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open();
    }

    /** Skips the container, saying why, when pagemap shows no frame numbers. */
    public static final class NeedsPfns implements SkipExecutionHook {
        /** Created by jqwik. */
        public NeedsPfns() {
        }

        @Override
        public SkipResult shouldBeSkipped(LifecycleContext context) {
            return KernelPagemap.pfnsVisible() ? SkipResult.doNotSkip()
                    : SkipResult.skip("pagemap shows no PFNs without CAP_SYS_ADMIN");
        }
    }
}
