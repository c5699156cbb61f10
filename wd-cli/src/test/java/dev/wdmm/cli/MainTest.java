package dev.wdmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Discovery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private JsonNode json() throws IOException {
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void doctorJsonOnThisMachineReportsNoIommuAndEveryBackend() throws IOException {
        int code = run("doctor", "--json");
        JsonNode report = json();
        assertEquals("NO_IOMMU", report.get("mode").asText());
        assertTrue(report.get("evidence").size() > 0, "evidence is listed");
        Set<String> names = new HashSet<>();
        for (JsonNode backend : report.get("backends")) {
            names.add(backend.get("name").asText());
            assertTrue(backend.get("available").isBoolean());
            assertTrue(backend.get("modes").isArray());
            if (!backend.get("available").asBoolean()) {
                assertTrue(!backend.get("reason").asText().isBlank(), "an unavailable backend says why: " + backend);
            }
        }
        assertTrue(names.containsAll(Set.of("sva", "noiommu")), "found: " + names);
        assertEquals(report.get("selected").isNull() ? Main.NONE_USABLE : Main.SELECTED, code);
        JsonNode pinning = report.get("pinning");
        assertTrue(pinning.get("method").asText().contains("FOLL_LONGTERM"), pinning.toString());
        assertTrue(pinning.get("available").isBoolean(), pinning.toString());
        String facts = pinning.get("facts").toString();
        assertTrue(
                facts.contains("kernel.io_uring_disabled=")
                        && facts.contains("vm.compact_unevictable_allowed=")
                        && facts.contains("memlock budget for pins"),
                facts);
        if (!pinning.get("available").asBoolean()) {
            assertTrue(!pinning.get("reason").asText().isBlank(), "unavailable pinning says why: " + pinning);
        }
    }

    @Test
    void doctorJsonKeepsItsKeysInOrderAndWritesValuesWithTheirTypes() throws IOException {
        run("doctor", "--json");
        String raw = out.toString(StandardCharsets.UTF_8);
        assertTrue(raw.contains("\"mode\": \"NO_IOMMU\""), "rig/verdict.sh greps this form: " + raw);
        JsonNode report = json();
        assertEquals(
                List.of(
                        "mode",
                        "evidence",
                        "hugepages",
                        "configuredBy",
                        "selected",
                        "reason",
                        "forced",
                        "backends",
                        "broken",
                        "duplicates",
                        "optionProblems",
                        "warnings",
                        "pinning",
                        "numa"),
                keys(report));
        for (JsonNode backend : report.get("backends")) {
            assertEquals(
                    List.of(
                            "name",
                            "description",
                            "available",
                            "reason",
                            "fix",
                            "details",
                            "modes",
                            "priority",
                            "location",
                            "verdict",
                            "options"),
                    keys(backend));
            assertTrue(backend.get("priority").isInt(), backend.toString());
        }
        assertEquals(List.of("method", "available", "reason", "facts"), keys(report.get("pinning")));
        JsonNode hugepageSize = option(report, "hugepage", "wd.mm.hugepage.size");
        assertTrue(hugepageSize.get("default").isIntegralNumber(), hugepageSize.toString());
        assertEquals(2L << 20, hugepageSize.get("default").asLong());
        assertTrue(!hugepageSize.get("description").asText().isBlank(), hugepageSize.toString());
        assertTrue(option(report, "sva", "wd.mm.sva.prefault").get("default").isBoolean());
        assertTrue(option(report, "vfio", "wd.mm.vfio.device").get("default").isTextual());
    }

    @Test
    void doctorTextShowsEveryBackendsDescriptionAndOptions() {
        run("doctor");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\n  sva (priority 100, modes [SVA], from "), text);
        assertTrue(text.contains("\n    description: "), text);
        assertTrue(text.contains("\n    option: wd.mm.sva.prefault (default false): "), text);
        assertTrue(text.contains("\n    option: wd.mm.hugepage.size (default 2097152): "), text);
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static JsonNode option(JsonNode report, String backend, String name) {
        for (JsonNode b : report.get("backends")) {
            if (b.get("name").asText().equals(backend)) {
                for (JsonNode o : b.get("options")) {
                    if (o.get("name").asText().equals(name)) {
                        return o;
                    }
                }
            }
        }
        throw new AssertionError("no option " + name + " of " + backend + " in " + report);
    }

    @Test
    void doctorTextSaysHowEveryPhysicalAddressBackendHoldsItsPages() {
        run("doctor");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.contains("pinning (how noiommu, hugepage, passthrough and queue reserved memory hold DMA pages"
                        + " in place): long-term pin (FOLL_LONGTERM) through io_uring fixed-buffer registration"),
                text);
        assertTrue(text.contains("  fact: kernel.io_uring_disabled="), text);
        assertTrue(text.contains("  fact: vm.compact_unevictable_allowed="), text);
        assertTrue(text.contains("  fact: memlock budget for pins: "), text);
        assertTrue(text.contains("detail: pages held in place by: long-term pin"), text);
    }

    @Test
    void noArgumentsRunsDoctorAsText() {
        run();
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("mode: NO_IOMMU"), text);
        assertTrue(text.contains("selected: "), text);
    }

    @Test
    void svaFixtureSelectsSva(@TempDir Path root) throws IOException {
        Path flags = root.resolve("sys/class/uacce/hisi_zip-0/flags");
        Files.createDirectories(flags.getParent());
        Files.writeString(flags, "1\n");
        assertEquals(Main.SELECTED, run("--json", "--root", root.toString()));
        JsonNode report = json();
        assertEquals("SVA", report.get("mode").asText());
        assertEquals("sva", report.get("selected").asText());
    }

    @Test
    void translatedFixtureWithoutVfioSelectsNoneAndSaysWhy(@TempDir Path root) throws IOException {
        Path type = root.resolve("sys/kernel/iommu_groups/3/type");
        Files.createDirectories(type.getParent());
        Files.writeString(type, "DMA-FQ\n");
        int code = run("--json", "--root", root.toString());
        JsonNode report = json();
        assertEquals("TRANSLATED", report.get("mode").asText());
        if (report.get("selected").isNull()) {
            assertEquals(Main.NONE_USABLE, code);
            assertTrue(!report.get("reason").asText().isBlank());
        } else {
            assertEquals("vfio", report.get("selected").asText());
        }
    }

    @Test
    void doctorShowsVfiosMappingLimitInTextAndJson(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("sys/kernel/iommu_groups/3"));
        Files.writeString(root.resolve("sys/kernel/iommu_groups/3/type"), "DMA\n");
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/vfio"));
        Files.createFile(root.resolve("dev/vfio/3"));
        Path parameters = Files.createDirectories(root.resolve("sys/module/vfio_iommu_type1/parameters"));
        Files.writeString(parameters.resolve("dma_entry_limit"), "65535\n");
        String limit =
                "dma_entry_limit=65535 (most DMA mappings per container; this backend makes one per 2 MiB chunk)";
        run("--json", "--root", root.toString());
        JsonNode vfio = null;
        for (JsonNode b : json().get("backends")) {
            vfio = b.get("name").asText().equals("vfio") ? b : vfio;
        }
        assertTrue(vfio != null && vfio.get("details").toString().contains(limit), String.valueOf(vfio));
        out.reset();
        run("--root", root.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("    detail: " + limit + "\n"), text);
    }

    @Test
    void aTwoNodeFixtureShowsEachNodesHugepagesAndEachDevicesNode(@TempDir Path root) throws IOException {
        for (String[] file : new String[][] {
            {"sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "8"},
            {"sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages", "6"},
            {"sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages", "4"},
            {"sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages", "0"},
            {"sys/bus/pci/devices/0000:3b:00.0/numa_node", "1"},
            {"sys/bus/pci/devices/0000:00:1f.0/numa_node", "-1"}
        }) {
            Path path = root.resolve(file[0]);
            Files.createDirectories(path.getParent());
            Files.writeString(path, file[1] + "\n");
        }
        run("--json", "--root", root.toString());
        JsonNode numa = json().get("numa");
        assertEquals(2, numa.get("nodes").size(), numa.toString());
        assertEquals(1, numa.get("nodes").get(1).get("id").asInt());
        assertEquals(
                0, numa.get("nodes").get(1).get("hugepages").get(0).get("free").asLong());
        assertEquals(1, numa.get("pciDevices").get("0000:3b:00.0").asInt());
        out.reset();
        run("--root", root.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("numa (for wd.mm.<backend>.numa-node): 2 node(s)"), text);
        assertTrue(text.contains("  node1: hugepages-2048kB nr_hugepages=4 free_hugepages=0;"), text);
        assertTrue(text.contains("  pci 0000:3b:00.0: node1"), text);
        assertTrue(text.contains("  pci: 1 device(s) report no node"), text);
    }

    @Test
    void malformedSysfsFileIsAnErrorNamingTheFile(@TempDir Path root) throws IOException {
        Path flags = root.resolve("sys/class/uacce/dev0/flags");
        Files.createDirectories(flags.getParent());
        Files.writeString(flags, "banana\n");
        assertEquals(Main.ERROR, run("--root", root.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("flags"), err.toString(StandardCharsets.UTF_8));
    }

    private static final String SERVICES = "META-INF/services/dev.wdmm.spi.WdBackendProvider";

    private int runWith(Discovery discovery, Map<String, String> system, Map<String, String> env, String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                discovery,
                ConfigSources.of(system, env, Path.of("/nonexistent")));
    }

    /** The real backends plus a third party's provider named hugepage, listed in a services file of its own. */
    private static URLClassLoader withThirdPartyHugepage(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(dir.resolve(SERVICES), ThirdPartyHugepage.class.getName() + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, MainTest.class.getClassLoader());
    }

    @Test
    void aDuplicateBackendNameIsReportedAsJsonAndTheExitCodeFollowsTheSelection(@TempDir Path dir) throws IOException {
        try (URLClassLoader loader = withThirdPartyHugepage(dir)) {
            int code = runWith(Discovery.load(loader), Map.of(), Map.of(), "doctor", "--json");
            JsonNode report = json();
            JsonNode duplicate = report.get("duplicates").get(0);
            assertEquals("hugepage", duplicate.get("name").asText());
            assertEquals(2, duplicate.get("providers").size(), duplicate.toString());
            assertTrue(duplicate.get("providers").toString().contains(ThirdPartyHugepage.class.getName()));
            assertTrue(duplicate.get("providers").toString().contains("backend-hugepage"), duplicate.toString());
            assertTrue(
                    names(report).containsAll(Set.of("sva", "noiommu")),
                    names(report).toString());
            assertTrue(!names(report).contains("hugepage"), names(report).toString());
            assertTrue(report.get("warnings").toString().contains("hugepage is provided twice"), report.toString());
            assertEquals(report.get("selected").isNull() ? Main.NONE_USABLE : Main.SELECTED, code);
        }
    }

    @Test
    void configuringTheDuplicateNameExitsThreeWithTheReportSayingWhy(@TempDir Path dir) throws IOException {
        try (URLClassLoader loader = withThirdPartyHugepage(dir)) {
            int code = runWith(Discovery.load(loader), Map.of("wd.mm.backend", "hugepage"), Map.of(), "doctor");
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(Main.NONE_USABLE, code, text);
            assertTrue(text.contains("  duplicate name hugepage: "), text);
            assertTrue(
                    text.contains("selected: none (wd.mm.backend=hugepage (system property wd.mm.backend) names a"
                            + " backend provided twice: "),
                    text);
        }
    }

    @Test
    void anUnknownOptionOfTheConfiguredBackendExitsThreeNamingItAndANearMiss() {
        int code = runWith(
                Discovery.load(),
                Map.of("wd.mm.backend", "sva", "wd.mm.backend.force", "true", "wd.mm.sva.prefualt", "true"),
                Map.of(),
                "doctor",
                "--json");
        String raw = out.toString(StandardCharsets.UTF_8);
        assertEquals(Main.NONE_USABLE, code, raw);
        assertTrue(raw.contains("wd.mm.sva.prefault]"), raw);
        assertTrue(
                raw.contains("wd.mm.sva.prefualt=true (system property wd.mm.sva.prefualt) is not an option of backend"
                        + " sva (did you mean wd.mm.sva.prefault?); known: ["),
                raw);
    }

    @Test
    void unknownOptionsOfOtherBackendsAreReportedWithoutChangingTheSelection() throws IOException {
        int code = runWith(Discovery.load(), Map.of("wd.mm.sva.prefualt", "true"), Map.of(), "doctor", "--json");
        JsonNode report = json();
        assertEquals(report.get("selected").isNull() ? Main.NONE_USABLE : Main.SELECTED, code);
        JsonNode problem = report.get("optionProblems").get(0);
        assertEquals("wd.mm.sva.prefualt", problem.get("key").asText());
        assertEquals("sva", problem.get("backend").asText());
        assertTrue(report.get("warnings").toString().contains("did you mean wd.mm.sva.prefault?"), report.toString());
    }

    @Test
    void hyphenatedOptionsOfTheBuiltInBackendsCanBeSetFromTheEnvironment() throws IOException {
        runWith(
                Discovery.load(),
                Map.of(),
                Map.of("WD_MM_HUGEPAGE_RETAIN_EMPTY", "2", "WD_MM_PASSTHROUGH_BLOCK_SIZE", "8k"),
                "doctor",
                "--json");
        assertTrue(json().get("optionProblems").isEmpty(), out.toString(StandardCharsets.UTF_8));
        out.reset();
        runWith(Discovery.load(), Map.of(), Map.of("WD_MM_HUGEPAGE_RETAIN_EMTPY", "2"), "doctor", "--json");
        assertTrue(
                json().get("optionProblems")
                        .toString()
                        .contains("wd.mm.hugepage.retain.emtpy=2 (environment variable WD_MM_HUGEPAGE_RETAIN_EMTPY) is"
                                + " not an option of backend hugepage (did you mean wd.mm.hugepage.retain-empty?)"),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aForcedChoiceIsShownInTextAndJson() throws IOException {
        int code = runWith(
                Discovery.load(),
                Map.of("wd.mm.backend", "sva", "wd.mm.backend.force", "true"),
                Map.of(),
                "doctor",
                "--json");
        JsonNode report = json();
        assertEquals(Main.SELECTED, code, report.toString());
        assertTrue(report.get("forced").asBoolean(), report.toString());
        assertTrue(
                report.get("warnings")
                        .get(0)
                        .asText()
                        .startsWith("backend sva is used although it does not serve" + " the detected mode NO_IOMMU"),
                report.toString());
        out.reset();
        runWith(Discovery.load(), Map.of("wd.mm.backend", "sva", "wd.mm.backend.force", "true"), Map.of(), "doctor");
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\nselected: sva, forced (configured by wd.mm.backend=sva"), text);
        assertTrue(text.contains("\nwarning: backend sva is used although"), text);
    }

    @Test
    void aConfiguredBackendThatDoesNotServeTheModeExitsThree() {
        int code = runWith(Discovery.load(), Map.of("wd.mm.backend", "sva"), Map.of(), "doctor");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(Main.NONE_USABLE, code, text);
        assertTrue(text.contains("does not serve the detected mode NO_IOMMU (it serves [SVA])"), text);
    }

    private static List<String> names(JsonNode report) {
        List<String> names = new ArrayList<>();
        report.get("backends").forEach(b -> names.add(b.get("name").asText()));
        return names;
    }

    @Test
    void unknownArgumentIsAUsageError() {
        assertEquals(Main.USAGE, run("doctr"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown argument 'doctr'"));
        assertEquals(Main.USAGE, run("--root"));
    }
}
