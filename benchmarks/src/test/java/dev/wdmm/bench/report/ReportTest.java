package dev.wdmm.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static String jmhRun(String benchmark, int threads, String params, double ns, double bytes) {
        return """
                {"benchmark":"%s","mode":"avgt","threads":%d,"forks":1,"vmVersion":"25-test","params":{%s},
                 "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op"},
                 "secondaryMetrics":{"gc.alloc.rate.norm":{"score":%s,"scoreError":"NaN","scoreUnit":"B/op"}}}
                """.formatted(benchmark, threads, params, ns, bytes);
    }

    private static Path write(Path dir) throws Exception {
        Path jmh = dir.resolve("jmh.json");
        Files.writeString(
                jmh,
                "["
                        + String.join(
                                ",",
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree",
                                        1,
                                        "\"backend\":\"sva\",\"size\":\"4096\"",
                                        40.0,
                                        0.01),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree",
                                        1,
                                        "\"backend\":\"slow\",\"size\":\"4096\"",
                                        90.0,
                                        24.0),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreePeersBench.nettyPooled",
                                        1,
                                        "\"size\":\"4096\"",
                                        60.0,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.MapBench.map",
                                        1,
                                        "\"backend\":\"sva\",\"order\":\"shuffled\"",
                                        5.0,
                                        0.0))
                        + "]");
        Path dpdk = dir.resolve("dpdk.jsonl");
        Files.writeString(dpdk, """
                {"benchmark":"dpdk.rte_malloc_free","param":"size=4096","ns_per_op":100.0,"error":1.0}
                {"benchmark":"dpdk.rte_malloc_virt2iova","param":"order=shuffled","ns_per_op":8.0,"error":0.5}
                {"benchmark":"dpdk.rte_mem_virt2memseg","param":"order=shuffled","ns_per_op":7.0,"error":0.5}
                """);
        Path out = dir.resolve("out");
        Report.main(new String[] {
            "--out", out.toString(), "--jmh", jmh.toString(), "--dpdk", dpdk.toString(), "--command", "run.sh --quick"
        });
        return out;
    }

    @Test
    void targetsAreJudgedAgainstTheSameRunsDpdkFigures(@TempDir Path dir) throws Exception {
        List<Result> results = Results.readJmh(write(dir).getParent().resolve("jmh.json"));
        results = new java.util.ArrayList<>(results);
        results.addAll(Results.readDpdk(dir.resolve("dpdk.jsonl")));
        List<Targets.Verdict> verdicts = Targets.evaluate(results);
        assertEquals(
                "met",
                verdict(verdicts, "general malloc + free, 4 KiB", "wd-mm sva").status());
        assertEquals(
                "NOT met",
                verdict(verdicts, "general malloc + free, 4 KiB", "wd-mm slow").status());
        Targets.Verdict map = verdict(verdicts, "translate inside a pool/region", "wd-mm sva");
        assertEquals(7.0, map.reference(), "the fastest DPDK translation is the reference");
        assertEquals("met", map.status());
        assertEquals(
                "not measured",
                verdict(verdicts, "pool get+put, 4 KiB", "no wd-mm result").status());
        assertEquals(
                "NOT met",
                verdict(verdicts, "no garbage on the hot path", "wd-mm slow").status());
    }

    private static Targets.Verdict verdict(List<Targets.Verdict> verdicts, String target, String subject) {
        return verdicts.stream()
                .filter(v -> v.target().equals(target) && v.subject().startsWith(subject))
                .findFirst()
                .orElseThrow(() -> new AssertionError(target + " / " + subject + " in " + verdicts));
    }

    @Test
    void writesMarkdownJsonAndWellFormedSvgPerGroup(@TempDir Path dir) throws Exception {
        Path out = write(dir);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| size=4096 | 1 | **wd-mm sva** | wd-mm | 40.00 |  | 0.67x | 0.010 |"), md);
        assertTrue(md.contains("| size=4096 | 1 | nettyPooled | Java peer | 60.00 |  | 1.00x (best peer) |"), md);
        assertTrue(md.contains("## SPEC 7 targets"), md);
        assertTrue(Files.readString(out.resolve("report.json")).contains("\"targets\""));
        for (String chart : List.of("alloc-free.svg", "map-interior.svg")) {
            DocumentBuilderFactory.newInstance()
                    .newDocumentBuilder()
                    .parse(out.resolve(chart).toFile());
        }
    }

    @Test
    void wdmmSuitesWithoutBackendParameterAreNamedAndGrouped(@TempDir Path dir) throws Exception {
        Path jmh = dir.resolve("jmh.json");
        Files.writeString(
                jmh,
                "["
                        + String.join(
                                ",",
                                jmhRun(
                                        "dev.wdmm.bench.HugepageAddressBench.allocFreeAddress",
                                        1,
                                        "\"size\":\"4096\"",
                                        20.0,
                                        0.0),
                                jmhRun("dev.wdmm.bench.PagemapBench.translate", 1, "\"mode\":\"cached\"", 3.0, 0.0),
                                jmhRun(
                                        "dev.wdmm.bench.BlockPoolBench.getPutSegment",
                                        1,
                                        "\"backend\":\"sva\",\"size\":\"4096\"",
                                        9.0,
                                        0.0))
                        + "]");
        List<Result> results = Results.readJmh(jmh);
        assertEquals("wd-mm hugepage allocFreeAddress", results.get(0).impl());
        assertEquals("alloc+free", results.get(0).group());
        assertEquals(Kind.WDMM, results.get(0).kind());
        assertEquals("wd-mm translate", results.get(1).impl());
        assertEquals("pagemap translate", results.get(1).group());
        assertEquals("mode=cached", results.get(1).variant());
        assertEquals("wd-mm sva getPutSegment", results.get(2).impl());
        assertEquals(
                "met",
                verdict(Targets.evaluate(results), "pagemap translate, cached", "wd-mm translate")
                        .status());
    }

    @Test
    void missingDpdkResultsAreSaidNotHidden(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Report.main(new String[] {
            "--out", out.toString(), "--dpdk", dir.resolve("absent.jsonl").toString()
        });
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("**DPDK results missing**"), md);
        assertTrue(md.contains("**JMH results missing**"), md);
    }
}
