package dev.wdmm.core.testproviders;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import dev.wdmm.spi.WdRegionSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A test backend with fixed name, modes, priority and availability, opening identity bridges. */
public class FakeProvider implements WdBackendProvider {
    /** An option every fake understands, to check that options reach the provider. */
    public static final WdOption<Long> SIZE = WdOption.size("wd.mm.fake.size", 64, 1, 1 << 20, "test size");
    /** An option with a hyphen, to check environment variable matching. */
    public static final WdOption<Long> RETAIN =
            WdOption.size("wd.mm.fake.retain-empty", 1, 0, 1 << 20, "test option with a hyphen");

    private final String name;
    private final Set<IommuMode> modes;
    private final int priority;
    private final WdAvailability availability;
    private final WdRegionSource regionSource;
    /** The options the last {@link #open} received. */
    public volatile WdOptions lastOptions;

    /**
     * A fake.
     *
     * @param name the name
     * @param modes the modes
     * @param priority the priority
     * @param availability the availability
     * @param regionSource the region source or null
     */
    public FakeProvider(
            String name, Set<IommuMode> modes, int priority, WdAvailability availability, WdRegionSource regionSource) {
        this.name = name;
        this.modes = modes;
        this.priority = priority;
        this.availability = availability;
        this.regionSource = regionSource;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "fake " + name;
    }

    @Override
    public Set<IommuMode> modes() {
        return modes;
    }

    @Override
    public int priority() {
        return priority;
    }

    @Override
    public WdAvailability availability(WdEnvironment environment) {
        return availability;
    }

    @Override
    public List<WdOption<?>> options() {
        return List.of(SIZE, RETAIN);
    }

    @Override
    public WdMmBridge open(WdOptions options) {
        options.get(SIZE);
        lastOptions = options;
        return IdentityBridge.open();
    }

    @Override
    public Optional<WdRegionSource> regionSource(WdOptions options) {
        return Optional.ofNullable(regionSource);
    }

    /** Alpha: NO_IOMMU, priority 10, available. */
    public static final class Alpha extends FakeProvider {
        /** Creates it. */
        public Alpha() {
            super("alpha", Set.of(IommuMode.NO_IOMMU), 10, WdAvailability.available("alpha ok"), null);
        }
    }

    /** Omega: NO_IOMMU, priority 50, available; for the jar tests beside the alpha twins. */
    public static final class Omega extends FakeProvider {
        /** Creates it. */
        public Omega() {
            super("omega", Set.of(IommuMode.NO_IOMMU), 50, WdAvailability.available(), null);
        }
    }

    /** Named fake (its options are in its own namespace, wd.mm.fake.*): NO_IOMMU, priority 5. */
    public static final class Fake extends FakeProvider {
        /** Creates it. */
        public Fake() {
            super("fake", Set.of(IommuMode.NO_IOMMU), 5, WdAvailability.available(), null);
        }
    }

    /** Its open() throws, as a third party's provider might. */
    public static final class ThrowsInOpen extends FakeProvider {
        /** Creates it. */
        public ThrowsInOpen() {
            super("boom", Set.of(IommuMode.NO_IOMMU), 5, WdAvailability.available(), null);
        }

        @Override
        public WdMmBridge open(WdOptions options) {
            throw new IllegalStateException("device on fire");
        }
    }

    /** Available only when wd.mm.fake.size is set to at least 4096: its availability reads the options. */
    public static final class NeedsLargeSize extends FakeProvider {
        /** Creates it. */
        public NeedsLargeSize() {
            super("fake", Set.of(IommuMode.NO_IOMMU), 5, WdAvailability.available(), null);
        }

        @Override
        public WdAvailability availability(WdEnvironment environment, WdOptions options) {
            long size = options.get(SIZE);
            return size >= 4096
                    ? WdAvailability.available("wd.mm.fake.size=" + size)
                    : WdAvailability.unavailable(
                            "wd.mm.fake.size=" + size + " must be >= 4096 here", "set wd.mm.fake.size=4k");
        }
    }

    /** A second class also named alpha, for the duplicate test. */
    public static final class AlphaTwin extends FakeProvider {
        /** Creates it. */
        public AlphaTwin() {
            super("alpha", Set.of(IommuMode.NO_IOMMU), 10, WdAvailability.available(), null);
        }
    }

    /** Its constructor throws. */
    public static final class ThrowsInConstructor extends FakeProvider {
        /** Always throws. */
        public ThrowsInConstructor() {
            super("never", Set.of(IommuMode.SVA), 1, WdAvailability.available(), null);
            throw new IllegalStateException("constructor of a broken provider");
        }
    }

    /** Its name() throws. */
    public static final class ThrowsInName extends FakeProvider {
        /** Creates it. */
        public ThrowsInName() {
            super("unused", Set.of(IommuMode.SVA), 1, WdAvailability.available(), null);
        }

        @Override
        public String name() {
            throw new UnsupportedOperationException("name of a broken provider");
        }
    }
}
