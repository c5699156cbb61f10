package dev.wdmm.bench;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.util.Set;

/** A provider, on the test class path only, that is never available here. */
public final class UnavailableTestProvider implements WdBackendProvider {

    @Override
    public String name() {
        return "bench-unavailable";
    }

    @Override
    public String description() {
        return "test provider that is never available";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.NO_IOMMU);
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public WdAvailability availability(WdEnvironment environment) {
        return WdAvailability.unavailable("no such device", "plug one in");
    }

    @Override
    public WdMmBridge open(WdOptions options) {
        throw new AssertionError("open must not be called on an unavailable backend");
    }
}
