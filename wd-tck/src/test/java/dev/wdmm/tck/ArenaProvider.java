package dev.wdmm.tck;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.util.List;
import java.util.Set;

/**
 * A provider of {@link ArenaBridge}s for the kit's own tests. The correct one is declared in
 * {@code META-INF/services} of the test classes and refuses unknown options; {@link Careless}
 * accepts them and is declared nowhere, two mistakes the provider contract must report.
 */
public class ArenaProvider implements WdBackendProvider {
    static final WdOption<Boolean> VERBOSE = WdOption.bool("wd.mm.arena.verbose", false, "says more");

    /** For ServiceLoader. */
    public ArenaProvider() {}

    @Override
    public String name() {
        return "arena";
    }

    @Override
    public String description() {
        return "test bridge: an arena per allocation, IOVA = address";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.SVA);
    }

    @Override
    public int priority() {
        return 1;
    }

    @Override
    public WdAvailability availability(WdEnvironment environment) {
        return WdAvailability.available();
    }

    @Override
    public List<WdOption<?>> options() {
        return List.of(VERBOSE);
    }

    @Override
    public WdMmBridge open(WdOptions options) {
        options.requireKnown("wd.mm.arena.", options());
        return ArenaBridge.identity();
    }

    /** Accepts every option and is not declared as a service. */
    public static class Careless extends ArenaProvider {
        /** For ServiceLoader. */
        public Careless() {}

        @Override
        public WdMmBridge open(WdOptions options) {
            return ArenaBridge.identity();
        }
    }
}
