package dev.wdmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the packaged CLI in a fresh JVM, on the module path and on the class path. */
class LauncherIT {
    private static final Path TARGET = Path.of("target");

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jars() throws IOException {
        try (Stream<Path> lib = Files.list(TARGET.resolve("lib"))) {
            return Stream.concat(Stream.of(TARGET.resolve("wd-cli.jar")), lib.sorted())
                    .map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
        }
    }

    private static JsonNode runDoctor(List<String> command) throws IOException, InterruptedException {
        return runDoctor(command, Map.of());
    }

    private static JsonNode runDoctor(List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = process.waitFor();
        JsonNode report = new ObjectMapper().readTree(out);
        assertEquals(report.get("selected").isNull() ? Main.NONE_USABLE : Main.SELECTED, code, out);
        return report;
    }

    private static List<String> names(JsonNode report) {
        List<String> names = new ArrayList<>();
        report.get("backends").forEach(b -> names.add(b.get("name").asText()));
        return names;
    }

    @Test
    void doctorOnTheModulePathFindsEveryBackendModule() throws Exception {
        JsonNode report = runDoctor(List.of(
                java(),
                "--add-modules",
                "ALL-MODULE-PATH",
                "--enable-native-access=ALL-UNNAMED,dev.wdmm.memory,dev.wdmm.cli",
                "-p",
                jars(),
                "-m",
                "dev.wdmm.cli/dev.wdmm.cli.Main",
                "doctor",
                "--json"));
        assertEquals("NO_IOMMU", report.get("mode").asText());
        assertTrue(
                names(report).containsAll(List.of("sva", "noiommu")),
                names(report).toString());
        assertTrue(report.get("broken").isEmpty(), report.get("broken").toString());
    }

    @Test
    void aThirdPartyJarReusingABuiltInNameStillGetsTheReportPrinted(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(
                dir.resolve("META-INF/services/dev.wdmm.spi.WdBackendProvider"),
                ThirdPartyHugepage.class.getName() + "\n");
        String classPath = String.join(
                File.pathSeparator, jars(), TARGET.resolve("test-classes").toString(), dir.toString());
        JsonNode report = runDoctor(
                List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", classPath, "dev.wdmm.cli.Main", "--json"),
                Map.of("WD_MM_HUGEPAGE_RETAIN_EMPTY", "2"));
        assertEquals("hugepage", report.get("duplicates").get(0).get("name").asText(), report.toString());
        assertTrue(
                report.get("duplicates").get(0).get("providers").toString().contains("test-classes"),
                report.toString());
        assertTrue(
                names(report).containsAll(List.of("sva", "noiommu")),
                names(report).toString());
        assertTrue(
                report.get("optionProblems").isEmpty(),
                report.get("optionProblems").toString());
    }

    @Test
    void doctorOnTheClassPathFindsTheSameBackends() throws Exception {
        JsonNode report = runDoctor(
                List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", jars(), "dev.wdmm.cli.Main", "--json"));
        assertEquals("NO_IOMMU", report.get("mode").asText());
        assertTrue(
                names(report).containsAll(List.of("sva", "noiommu")),
                names(report).toString());
    }

    @Test
    void doctorListsAThirdPartyBackendWhoseJarIsOnThePathAndConfigurationSelectsIt() throws Exception {
        String example = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.contains("example-filemap-backend") || entry.contains("third-party-backend"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the example backend is a test dependency of wd-cli"));
        JsonNode report = runDoctor(List.of(
                java(),
                "--add-modules",
                "ALL-MODULE-PATH",
                "--enable-native-access=ALL-UNNAMED,dev.wdmm.memory,dev.wdmm.cli",
                "-Dwd.mm.backend=filemap",
                "-p",
                jars() + File.pathSeparator + example,
                "-m",
                "dev.wdmm.cli/dev.wdmm.cli.Main",
                "doctor",
                "--json"));
        assertTrue(names(report).contains("filemap"), names(report).toString());
        assertEquals("filemap", report.get("selected").asText(), report.toString());
    }
}
