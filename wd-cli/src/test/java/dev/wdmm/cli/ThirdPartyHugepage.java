package dev.wdmm.cli;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.util.Set;

/**
 * A third party's provider that reuses the built-in name {@code hugepage}, as the issue found:
 * listed in a services file beside the real backends, it must not stop the doctor.
 */
public final class ThirdPartyHugepage implements WdBackendProvider {
    /** Creates it; does nothing else. */
    public ThirdPartyHugepage() {}

    @Override
    public String name() {
        return "hugepage";
    }

    @Override
    public String description() {
        return "a third party's backend that reuses the name hugepage";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.NO_IOMMU);
    }

    @Override
    public int priority() {
        return 1;
    }

    @Override
    public WdAvailability availability(WdEnvironment environment) {
        return WdAvailability.unavailable("never here", "none");
    }

    @Override
    public WdMmBridge open(WdOptions options) {
        throw new IllegalStateException("never opened");
    }
}
