package dev.wdmm.tck;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdRegionSource;

/**
 * The kit's contracts applied to correct and to deliberately broken subjects. These classes are
 * not named like tests: Surefire does not run them; {@link KitCatchesBrokenBackendsTest} launches
 * them and checks which of their tests fail.
 */
final class KitSubjects {
    private KitSubjects() {}

    /** A correct bridge with its true oracle: every rule must pass. */
    static class CorrectBridge extends WdMmBridgeContractTest {
        @Override
        protected WdMmBridge newBridge() {
            return ArenaBridge.identity();
        }

        @Override
        protected IovaOracle iovaOracle() {
            return IovaOracle.identity();
        }
    }

    /** {@code iova-wrong-but-consistent}: IOVA = address + 64 KiB under SVA. Only the oracle can tell. */
    static class WrongButConsistentIovas extends WdMmBridgeContractTest {
        @Override
        protected WdMmBridge newBridge() {
            return ArenaBridge.offByOffset();
        }

        @Override
        protected IovaOracle iovaOracle() {
            return IovaOracle.identity();
        }
    }

    /** A single-thread bug: a live allocation handed out again. */
    static class HandingOutTwice extends WdMmBridgeContractTest {
        @Override
        protected WdMmBridge newBridge() {
            return ArenaBridge.handingOutTwice();
        }

        @Override
        protected IovaOracle iovaOracle() {
            return IovaOracle.identity();
        }
    }

    /** A correct provider, declared in the test classes' META-INF/services. */
    static class CorrectProvider extends WdBackendProviderContractTest {
        @Override
        protected WdBackendProvider provider() {
            return new ArenaProvider();
        }
    }

    /** {@code unknown-options-accepted}, and no service declaration. */
    static class CarelessProvider extends WdBackendProviderContractTest {
        @Override
        protected WdBackendProvider provider() {
            return new ArenaProvider.Careless();
        }
    }

    /** A correct region source. */
    static class CorrectRegionSource extends WdRegionSourceContractTest {
        @Override
        protected WdRegionSource newSource() {
            return new ArenaRegionSource(true);
        }

        @Override
        protected IovaOracle iovaOracle() {
            return IovaOracle.identity();
        }
    }

    /** {@code region-release-unchecked}: a foreign or second release is accepted silently. */
    static class UncheckedRegionRelease extends WdRegionSourceContractTest {
        @Override
        protected WdRegionSource newSource() {
            return new ArenaRegionSource(false);
        }

        @Override
        protected IovaOracle iovaOracle() {
            return IovaOracle.identity();
        }
    }
}
