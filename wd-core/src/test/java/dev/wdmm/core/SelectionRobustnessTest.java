package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.testproviders.FakeProvider;
import dev.wdmm.spi.WdAvailability;
import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Selection that a third party's jar or a typo cannot break (issue 14): duplicates, unknown keys, open failures. */
class SelectionRobustnessTest {
    @TempDir
    Path dir;

    private static ModeDetector mode(IommuMode mode) {
        return () -> new Detection(Path.of("/fixture"), mode, List.of("test says " + mode), List.of());
    }

    private WdMm.Builder builder(Discovery discovery, Map<String, String> system, Map<String, String> env) {
        return WdMm.builder()
                .discovery(discovery)
                .detector(mode(IommuMode.NO_IOMMU))
                .sources(ConfigSources.of(system, env, dir));
    }

    private URLClassLoader twinsAndOmega() throws IOException {
        return ProviderJars.loader(
                dir, FakeProvider.Alpha.class, FakeProvider.AlphaTwin.class, FakeProvider.Omega.class);
    }

    @Test
    void aDuplicateNameThatDetectionWouldNotPickLeavesOpenWorkingAndIsReported() throws IOException {
        try (URLClassLoader loader = twinsAndOmega()) {
            Discovery discovery = Discovery.load(loader);
            try (WdMm mm = builder(discovery, Map.of(), Map.of()).open()) {
                Selection selection = mm.selection();
                assertEquals(Optional.of("omega"), selection.selected(), selection.toText());
                Selection.Duplicate alpha = selection.duplicates().getFirst();
                assertEquals("alpha", alpha.name());
                assertTrue(alpha.providers().toString().contains("0.jar"), alpha.toString());
                assertTrue(alpha.providers().toString().contains("1.jar"), alpha.toString());
                assertTrue(alpha.verdict().startsWith("not selected: provided twice"), alpha.verdict());
                assertTrue(selection.toText().contains("duplicate name alpha: "), selection.toText());
                assertTrue(
                        selection.warnings().stream().anyMatch(w -> w.contains("alpha is provided twice")),
                        selection.warnings().toString());
            }
        }
    }

    @Test
    void configuringADuplicateNameFailsNamingBothJars() throws IOException {
        try (URLClassLoader loader = twinsAndOmega()) {
            Discovery discovery = Discovery.load(loader);
            WdSelectionException e = assertThrows(
                    WdSelectionException.class,
                    () -> builder(discovery, Map.of("wd.mm.backend", "alpha"), Map.of())
                            .open());
            assertTrue(
                    e.getMessage()
                            .contains("wd.mm.backend=alpha (system property wd.mm.backend) names a backend"
                                    + " provided twice"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("0.jar") && e.getMessage().contains("1.jar"), e.getMessage());
            assertEquals(
                    Optional.of("omega"),
                    builder(discovery, Map.of("wd.mm.backend", "omega"), Map.of())
                            .select()
                            .selected());
        }
    }

    @Test
    void aDuplicateNameThatWouldWinDetectionSelectsNothing() throws IOException {
        try (URLClassLoader loader = ProviderJars.loader(dir, FakeProvider.Alpha.class, FakeProvider.AlphaTwin.class)) {
            Selection selection =
                    builder(Discovery.load(loader), Map.of(), Map.of()).select();
            assertTrue(selection.selected().isEmpty(), selection.toText());
            assertTrue(selection.reason().contains("backend name=alpha is provided twice"), selection.reason());
            assertTrue(selection.reason().contains("remove one of the jars"), selection.reason());
        }
    }

    @Test
    void anUnknownKeyOfTheSelectedBackendIsRefusedBeforeOpenEvenIfTheBackendNeverChecks() {
        FakeProvider.Fake fake = new FakeProvider.Fake();
        WdSelectionException e = assertThrows(
                WdSelectionException.class,
                () -> builder(Discovery.of(List.of(fake)), Map.of("wd.mm.fake.szie", "4k"), Map.of())
                        .open());
        assertTrue(
                e.getMessage()
                        .contains("wd.mm.fake.szie=4k (system property wd.mm.fake.szie) is not an option of"
                                + " backend fake (did you mean wd.mm.fake.size?)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("known: [wd.mm.fake.retain-empty, wd.mm.fake.size]"), e.getMessage());
        assertEquals(null, fake.lastOptions, "open() was never called");
    }

    @Test
    void unknownKeysOfOtherBackendsAndOfNoBackendAreReportedButDoNotStopTheSelection() {
        Discovery discovery = Discovery.of(List.of(
                new FakeProvider.Omega(),
                new FakeProvider("sva", Set.of(IommuMode.SVA), 100, WdAvailability.available(), null)));
        Selection selection = builder(
                        discovery,
                        Map.of("wd.mm.sva.prefualt", "true", "wd.mm.svaa.x", "1", "wd.mm.bakend", "sva"),
                        Map.of())
                .select();
        assertEquals(Optional.of("omega"), selection.selected(), selection.toText());
        List<String> problems = selection.optionProblems().stream()
                .map(Selection.OptionProblem::problem)
                .toList();
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(
                problems.toString()
                        .contains("wd.mm.sva.prefualt=true (system property wd.mm.sva.prefualt) is"
                                + " not an option of backend sva"),
                problems.toString());
        assertTrue(
                problems.toString()
                        .contains("wd.mm.svaa.x=1 (system property wd.mm.svaa.x) names no backend" + " found (svaa)"),
                problems.toString());
        assertTrue(problems.toString().contains("(did you mean wd.mm.backend?)"), problems.toString());
        assertTrue(selection.toText().contains("option problem: wd.mm.sva.prefualt=true"), selection.toText());
    }

    @Test
    void aBadValueOfTheSelectedBackendIsRefusedBeforeOpen() {
        FakeProvider.Fake fake = new FakeProvider.Fake();
        WdSelectionException e = assertThrows(
                WdSelectionException.class,
                () -> builder(Discovery.of(List.of(fake)), Map.of(), Map.of("WD_MM_FAKE_SIZE", "huge"))
                        .open());
        assertTrue(e.getMessage().contains("wd.mm.fake.size=huge must be a size"), e.getMessage());
        assertTrue(e.getMessage().contains("environment variable WD_MM_FAKE_SIZE"), e.getMessage());
        assertEquals(null, fake.lastOptions, "open() was never called");
    }

    @Test
    void environmentNamesAreMatchedAgainstDeclaredOptionsWithHyphens() {
        FakeProvider.Fake fake = new FakeProvider.Fake();
        try (WdMm mm = builder(Discovery.of(List.of(fake)), Map.of(), Map.of("WD_MM_FAKE_RETAIN_EMPTY", "2"))
                .open()) {
            assertEquals(2L, fake.lastOptions.get(FakeProvider.RETAIN));
            assertTrue(mm.selection().optionProblems().isEmpty(), mm.selection().toText());
        }
        Selection typo = builder(Discovery.of(List.of(fake)), Map.of(), Map.of("WD_MM_FAKE_RETAIN_EMTPY", "2"))
                .select();
        assertTrue(typo.selected().isEmpty(), typo.toText());
        assertTrue(
                typo.reason()
                        .contains("wd.mm.fake.retain.emtpy=2 (environment variable WD_MM_FAKE_RETAIN_EMTPY)"
                                + " is not an option of backend fake (did you mean wd.mm.fake.retain-empty?)"),
                typo.reason());
    }

    @Test
    void availabilitySeesTheConfiguredOptions() {
        Discovery discovery = Discovery.of(List.of(new FakeProvider.NeedsLargeSize()));
        Selection small = builder(discovery, Map.of(), Map.of()).select();
        assertTrue(small.selected().isEmpty(), small.toText());
        assertTrue(
                small.candidates().getFirst().reason().contains("wd.mm.fake.size=64 must be >= 4096"), small.toText());
        Selection large =
                builder(discovery, Map.of("wd.mm.fake.size", "8k"), Map.of()).select();
        assertEquals(Optional.of("fake"), large.selected(), large.toText());
    }

    @Test
    void anExceptionFromOpenNamesTheBackendAndWhereItCameFrom() {
        WdOpenException e = assertThrows(
                WdOpenException.class,
                () -> builder(Discovery.of(List.of(new FakeProvider.ThrowsInOpen())), Map.of(), Map.of())
                        .open());
        assertEquals("boom", e.backend());
        assertTrue(e.getMessage().startsWith("backend=boom (from "), e.getMessage());
        assertTrue(e.getMessage().contains("test-classes"), e.getMessage());
        assertTrue(
                e.getMessage().contains("open failed: java.lang.IllegalStateException: device on fire"),
                e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void anExceptionFromOpenNamesTheJar() throws IOException {
        try (URLClassLoader loader = ProviderJars.loader(dir, FakeProvider.ThrowsInOpen.class)) {
            WdOpenException e = assertThrows(
                    WdOpenException.class,
                    () -> builder(Discovery.load(loader), Map.of(), Map.of()).open());
            assertTrue(e.getMessage().contains(dir.resolve("0.jar").toString()), e.getMessage());
        }
    }
}
