package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit can fail: each contract is launched (both engines, JUnit Jupiter and jqwik) against a
 * correct subject, where every test must pass, and against a subject with one deliberate author
 * mistake, where exactly the rules about that mistake must fail, with messages that say what is
 * wrong in hexadecimal addresses.
 */
class KitCatchesBrokenBackendsTest {

    /** What a launch of one class gave: the failed tests by method name, and how many passed. */
    private record Outcome(Map<String, Throwable> failed, int passed) {}

    private static Outcome launch(Class<?> subject) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(subject))
                .configurationParameter("jqwik.database", "target/.jqwik-database")
                .configurationParameter("jqwik.reporting.onlyfailures", "true")
                .build();
        Map<String, Throwable> failed = new TreeMap<>();
        AtomicInteger passed = new AtomicInteger();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (!test.isTest()) {
                    return;
                }
                String method = test.getSource()
                        .filter(MethodSource.class::isInstance)
                        .map(source -> ((MethodSource) source).getMethodName())
                        .orElse(test.getDisplayName());
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.incrementAndGet();
                } else {
                    failed.put(method, result.getThrowable().orElse(new AssertionError(result.getStatus())));
                }
            }
        });
        return new Outcome(failed, passed.get());
    }

    @Test
    void aCorrectBridgePassesTheWholeBridgeContract() {
        Outcome outcome = launch(KitSubjects.CorrectBridge.class);
        assertEquals(Map.of(), outcome.failed());
        assertTrue(outcome.passed() >= 30, "tests run: " + outcome.passed());
    }

    @Test
    void wrongButConsistentIovasFailTheOracleRulesAndNothingElse() {
        Outcome outcome = launch(KitSubjects.WrongButConsistentIovas.class);
        assertEquals(
                Set.of(
                        "everyIovaAndEveryContiguityClaimAgreesWithTheOracle",
                        "oneThreadsAllocMapFreeChurnKeepsAllocationsApartIntactAndTrue",
                        "theOracleItselfAgreesWithItselfOnOneAllocation"),
                outcome.failed().keySet(),
                outcome.failed().toString());
        String message = outcome.failed()
                .get("everyIovaAndEveryContiguityClaimAgreesWithTheOracle")
                .getMessage();
        assertTrue(
                message.matches("(?s)iovaMap va=0x\\p{XDigit}+ length=\\d+ iova=0x\\p{XDigit}+: .*identity oracle"
                        + " says iova=0x\\p{XDigit}+.*"),
                message);
        assertTrue(outcome.passed() >= 28, "every other rule passes: " + outcome.passed());
    }

    @Test
    void aSingleThreadBugIsReportedAsOneNotAsARace() {
        Outcome outcome = launch(KitSubjects.HandingOutTwice.class);
        Throwable churn = outcome.failed().get("oneThreadsAllocMapFreeChurnKeepsAllocationsApartIntactAndTrue");
        assertTrue(churn != null, outcome.failed().keySet().toString());
        assertTrue(churn.getMessage().contains("one thread, no race"), churn.getMessage());
        assertTrue(churn.getMessage().matches("(?s).*va=0x\\p{XDigit}+.*"), churn.getMessage());
    }

    @Test
    void aCorrectProviderPassesAndACarelessOneFailsWhereItIsCareless() {
        String selfCheck = "everyKitContractBesideThisTestIsNamedSoThatSurefireRunsIt";
        Outcome correct = launch(KitSubjects.CorrectProvider.class);
        assertEquals(
                Set.of(selfCheck), correct.failed().keySet(), correct.failed().toString());
        assertTrue(
                correct.failed().get(selfCheck).getMessage().contains("[dev.wdmm.tck.MisnamedBridgeContract]"),
                correct.failed().toString());
        assertEquals(6, correct.passed(), "every other rule passes");
        Outcome careless = launch(KitSubjects.CarelessProvider.class);
        assertEquals(
                Set.of(
                        "theProviderIsDeclaredAsAServiceBothWays",
                        "openRefusesAnUnknownOptionOfItsPrefixNamingIt",
                        selfCheck),
                careless.failed().keySet(),
                careless.failed().toString());
        assertTrue(
                careless.failed()
                        .get("openRefusesAnUnknownOptionOfItsPrefixNamingIt")
                        .getMessage()
                        .contains("wd.mm.arena.no-such-option-of-the-kit"),
                careless.failed().toString());
    }

    @Test
    void anUncheckedRegionReleaseFailsTheRegionSourceContract() {
        Outcome correct = launch(KitSubjects.CorrectRegionSource.class);
        assertEquals(Map.of(), correct.failed());
        assertEquals(4, correct.passed());
        Outcome unchecked = launch(KitSubjects.UncheckedRegionRelease.class);
        assertEquals(
                Set.of("releaseRefusesForeignAndAlreadyReleasedRegions"),
                unchecked.failed().keySet(),
                unchecked.failed().toString());
    }
}
