package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.testproviders.FakeProvider;
import dev.wdmm.spi.WdAvailability;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectionTest {
    @TempDir
    Path dir;

    private final Discovery discovery = Discovery.of(List.of(
            new FakeProvider.Alpha(),
            new FakeProvider(
                    "beta",
                    Set.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH),
                    20,
                    WdAvailability.unavailable(
                            "beta needs reserved hugepages: free_hugepages=0", "sysctl vm.nr_hugepages=64"),
                    null),
            new FakeProvider("gamma", Set.of(IommuMode.NO_IOMMU), 10, WdAvailability.available(), null),
            new FakeProvider("sva", Set.of(IommuMode.SVA), 100, WdAvailability.available("shares page tables"), null)));

    private static ModeDetector mode(IommuMode mode) {
        return () -> new Detection(Path.of("/fixture"), mode, List.of("test says " + mode), List.of());
    }

    private WdMm.Builder builder(IommuMode mode, Map<String, String> system, Map<String, String> env) {
        return WdMm.builder().discovery(discovery).detector(mode(mode)).sources(ConfigSources.of(system, env, dir));
    }

    @Test
    void detectionPicksHighestPriorityAvailableServingTheModeTiesByName() {
        Selection selection = builder(IommuMode.NO_IOMMU, Map.of(), Map.of()).select();
        assertEquals(Optional.of("alpha"), selection.selected());
        assertTrue(selection.reason().contains("highest priority available serving NO_IOMMU"), selection.reason());
        Map<String, String> verdicts = verdicts(selection);
        assertTrue(verdicts.get("beta").contains("unavailable: beta needs reserved hugepages"), verdicts.toString());
        assertTrue(verdicts.get("gamma").contains("same priority as alpha"), verdicts.toString());
        assertTrue(verdicts.get("sva").contains("does not serve NO_IOMMU"), verdicts.toString());
        assertEquals("not configured", selection.configuredBy());
    }

    @Test
    void lowerPriorityIsExplained() {
        Selection selection = builder(IommuMode.SVA, Map.of(), Map.of()).select();
        assertEquals(Optional.of("sva"), selection.selected());
        assertTrue(verdicts(selection).get("alpha").contains("does not serve SVA"));
    }

    @Test
    void nothingSuitableSelectsNoneAndFailsWithEveryCandidatesReason() {
        Selection selection = builder(IommuMode.TRANSLATED, Map.of(), Map.of()).select();
        assertTrue(selection.selected().isEmpty());
        WdSelectionException e = assertThrows(WdSelectionException.class, selection::requireSelected);
        assertTrue(e.getMessage().contains("no available backend serves TRANSLATED"), e.getMessage());
        for (String name : List.of("alpha", "beta", "gamma", "sva")) {
            assertTrue(e.getMessage().contains(name + ": not selected"), e.getMessage());
        }
        assertTrue(e.getMessage().contains("beta needs reserved hugepages"), e.getMessage());
        assertThrows(
                WdSelectionException.class,
                () -> builder(IommuMode.TRANSLATED, Map.of(), Map.of()).open());
    }

    @Test
    void apiBeatsSystemPropertyBeatsEnvironmentBeatsFile() throws IOException {
        Files.writeString(dir.resolve("wd-mm.properties"), "wd.mm.backend=gamma\n");
        // sva does not serve NO_IOMMU: forced, so that each source's choice is taken as it is
        Map<String, String> system = Map.of("wd.mm.backend", "sva", "wd.mm.backend.force", "true");
        Map<String, String> env = Map.of("WD_MM_BACKEND", "alpha");
        assertConfigured(
                builder(IommuMode.NO_IOMMU, system, env).backend("gamma").select(), "gamma", "API argument");
        assertConfigured(builder(IommuMode.NO_IOMMU, system, env).select(), "sva", "system property wd.mm.backend");
        assertConfigured(
                builder(IommuMode.NO_IOMMU, Map.of(), env).select(), "alpha", "environment variable WD_MM_BACKEND");
        assertConfigured(builder(IommuMode.NO_IOMMU, Map.of(), Map.of()).select(), "gamma", "wd-mm.properties");
    }

    @Test
    void configuredBackendBeatsDetectionAndSaysSo() {
        Selection selection = builder(IommuMode.NO_IOMMU, Map.of("wd.mm.backend", "gamma"), Map.of())
                .select();
        assertEquals(Optional.of("gamma"), selection.selected());
        assertTrue(selection.reason().contains("configuration beats detection"), selection.reason());
        assertTrue(verdicts(selection).get("alpha").contains("configuration names gamma"));
        assertEquals(false, selection.forced());
        assertTrue(selection.warnings().isEmpty(), selection.warnings().toString());
    }

    @Test
    void configuredBackendThatDoesNotServeTheDetectedModeIsRefusedWithTheReason() {
        WdSelectionException e = assertThrows(
                WdSelectionException.class,
                () -> builder(IommuMode.TRANSLATED, Map.of("wd.mm.backend", "alpha"), Map.of())
                        .open());
        assertTrue(
                e.getMessage()
                        .contains("wd.mm.backend=alpha (system property wd.mm.backend) does not serve the detected"
                                + " mode TRANSLATED (it serves [NO_IOMMU]), so the device would be given wrong"
                                + " addresses"),
                e.getMessage());
        assertTrue(e.getMessage().contains("set wd.mm.backend.force=true if the detection is wrong"), e.getMessage());
        assertTrue(e.getMessage().contains("alpha: not selected: does not serve TRANSLATED"), e.getMessage());
    }

    @Test
    void forcedBackendIsSelectedLoggedAtWarningAndShown() {
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger("dev.wdmm.core.Selection");
        logger.addHandler(handler);
        try {
            Selection selection = builder(
                            IommuMode.TRANSLATED,
                            Map.of("wd.mm.backend", "alpha"),
                            Map.of("WD_MM_BACKEND_FORCE", "TRUE"))
                    .select();
            assertEquals(Optional.of("alpha"), selection.selected());
            assertTrue(selection.forced());
            assertTrue(
                    selection
                            .reason()
                            .contains("forced by wd.mm.backend.force=true (environment variable"
                                    + " WD_MM_BACKEND_FORCE) although it does not serve the detected mode TRANSLATED"),
                    selection.reason());
            assertTrue(selection.toText().contains("selected: alpha, forced ("), selection.toText());
            assertTrue(
                    selection.toText().contains("warning: backend alpha is used although it does not serve"),
                    selection.toText());
            assertTrue(
                    records.stream()
                            .anyMatch(r -> r.getLevel() == Level.WARNING
                                    && String.valueOf(r.getParameters()[0])
                                            .contains("backend alpha is used although it does not serve")),
                    records.toString());
        } finally {
            logger.removeHandler(handler);
        }
    }

    @Test
    void forceThatIsNeitherTrueNorFalseIsRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> builder(IommuMode.NO_IOMMU, Map.of("wd.mm.backend.force", "yes"), Map.of())
                        .select());
        assertTrue(
                e.getMessage()
                        .contains("wd.mm.backend.force=yes (system property wd.mm.backend.force) must be true"
                                + " or false"),
                e.getMessage());
    }

    @Test
    void configFileNamedBySystemPropertyIsRead() throws IOException {
        Path file = dir.resolve("elsewhere.properties");
        Files.writeString(file, "wd.mm.backend=gamma\nwd.mm.fake.size=4k\nunrelated=1\n");
        Selection selection = builder(IommuMode.NO_IOMMU, Map.of("wd.mm.config", file.toString()), Map.of())
                .select();
        assertConfigured(selection, "gamma", "elsewhere.properties");
    }

    @Test
    void unreadableConfigFileFailsNamingIt() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> builder(IommuMode.SVA, Map.of("wd.mm.config", "missing.properties"), Map.of())
                        .select());
        assertTrue(e.getMessage().contains("missing.properties"), e.getMessage());
    }

    @Test
    void optionsComeFromAllSourcesWithTheSamePrecedence() throws IOException {
        Files.writeString(dir.resolve("wd-mm.properties"), "wd.mm.fake.size=1k\nwd.mm.fake.file=yes\n");
        ConfigSources sources = ConfigSources.of(
                Map.of("wd.mm.fake.size", "3k", "java.version", "25"),
                Map.of("WD_MM_FAKE_SIZE", "2k", "WD_MM_FAKE_ENV", "on", "HOME", "/root"),
                dir);
        Configuration configuration = sources.resolve(Optional.empty(), Map.of("wd.mm.fake.api", "x"));
        assertEquals(3072L, configuration.options().get(FakeProvider.SIZE));
        assertEquals(
                Set.of("wd.mm.fake.size", "wd.mm.fake.file", "wd.mm.fake.env", "wd.mm.fake.api"),
                configuration.options().names());
        Configuration api = sources.resolve(Optional.empty(), Map.of("wd.mm.fake.size", "5k"));
        assertEquals(5120L, api.options().get(FakeProvider.SIZE));
    }

    @Test
    void unknownNameFailsListingTheKnownOnes() {
        Selection selection = builder(IommuMode.NO_IOMMU, Map.of(), Map.of("WD_MM_BACKEND", "hugepagez"))
                .select();
        assertTrue(selection.selected().isEmpty());
        WdSelectionException e = assertThrows(WdSelectionException.class, selection::requireSelected);
        assertTrue(
                e.getMessage().contains("wd.mm.backend=hugepagez (environment variable WD_MM_BACKEND) is unknown"),
                e.getMessage());
        assertTrue(e.getMessage().contains("known backends: alpha, beta, gamma, sva"), e.getMessage());
    }

    @Test
    void configuredButUnavailableFailsWithReasonAndFix() {
        WdSelectionException e = assertThrows(
                WdSelectionException.class,
                () -> builder(IommuMode.NO_IOMMU, Map.of(), Map.of())
                        .backend("beta")
                        .open());
        assertTrue(
                e.getMessage().contains("is unavailable: beta needs reserved hugepages: free_hugepages=0"),
                e.getMessage());
        assertTrue(e.getMessage().contains("fix: sysctl vm.nr_hugepages=64"), e.getMessage());
        assertTrue(e.selection().selected().isEmpty());
    }

    @Test
    void reportIsPrintableAsTextAndData() {
        Selection selection = builder(IommuMode.NO_IOMMU, Map.of(), Map.of()).select();
        String text = selection.toText();
        assertTrue(text.contains("mode: NO_IOMMU"), text);
        assertTrue(text.contains("evidence: test says NO_IOMMU"), text);
        assertTrue(text.contains("fix: sysctl vm.nr_hugepages=64"), text);
        assertTrue(text.contains("selected: alpha"), text);
        assertEquals(IommuMode.NO_IOMMU, selection.mode());
        assertEquals(Optional.of("alpha"), selection.selected());
        List<Selection.Candidate> backends = selection.candidates();
        assertEquals(4, backends.size());
        Selection.Candidate beta = backends.get(1);
        assertEquals("beta", beta.name());
        assertEquals(false, beta.available());
        assertEquals(List.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH), beta.modes());
        assertTrue(beta.location().contains("test-classes"), beta.location());
    }

    @Test
    void noneSelectedIsEmpty() {
        Selection selection = builder(IommuMode.TRANSLATED, Map.of(), Map.of()).select();
        assertEquals(Optional.empty(), selection.selected());
        assertTrue(selection.toText().contains("selected: none"), selection.toText());
    }

    private static void assertConfigured(Selection selection, String name, String source) {
        assertEquals(Optional.of(name), selection.selected(), selection.reason());
        assertTrue(selection.configuredBy().contains(source), selection.configuredBy());
    }

    private static Map<String, String> verdicts(Selection selection) {
        return selection.candidates().stream()
                .collect(java.util.stream.Collectors.toMap(Selection.Candidate::name, Selection.Candidate::verdict));
    }
}
