package dev.wdmm.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Issue15Test {

    private static String jmhRun(String benchmark, int threads, String params, double ns, double bytes) {
        return """
                {"benchmark":"%s","mode":"avgt","threads":%d,"forks":1,"vmVersion":"25-test","params":{%s},
                 "primaryMetric":{"score":%s,"scoreError":"NaN","scoreUnit":"ns/op"},
                 "secondaryMetrics":{"gc.alloc.rate.norm":{"score":%s,"scoreError":"NaN","scoreUnit":"B/op"}}}
                """.formatted(benchmark, threads, params, ns, bytes);
    }

    private static List<Result> results(Path dir) throws Exception {
        Path jmh = dir.resolve("jmh.json");
        Files.writeString(
                jmh,
                "["
                        + String.join(
                                ",",
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree",
                                        1,
                                        "\"backend\":\"sva\",\"size\":\"64\"",
                                        20,
                                        0.2),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree",
                                        1,
                                        "\"backend\":\"noiommu\",\"size\":\"64\"",
                                        40,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree",
                                        1,
                                        "\"backend\":\"passthrough\",\"size\":\"64\"",
                                        90,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree2Threads",
                                        2,
                                        "\"backend\":\"sva\",\"size\":\"64\"",
                                        21,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeBench.allocFree2Threads",
                                        2,
                                        "\"backend\":\"noiommu\",\"size\":\"64\"",
                                        80,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.HugepageAddressBench.allocFreeAddress",
                                        1,
                                        "\"size\":\"64\"",
                                        18,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.AllocFreeNettyUnsafePeersBench.nettyAdaptiveUnsafe",
                                        1,
                                        "\"size\":\"64\"",
                                        60,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.MapBench.map",
                                        1,
                                        "\"backend\":\"sva\",\"order\":\"shuffled\"",
                                        6,
                                        0.0),
                                jmhRun(
                                        "dev.wdmm.bench.MapBench.map",
                                        1,
                                        "\"backend\":\"sva\",\"order\":\"sequential\"",
                                        9,
                                        0.0),
                                jmhRun("dev.wdmm.bench.LifetimeBench.globalScope", 1, "", 5, 0.0),
                                jmhRun("dev.wdmm.bench.LifetimeBench.chunkScope", 1, "", 5.2, 0.0))
                        + "]");
        Path dpdk = dir.resolve("dpdk.jsonl");
        Files.writeString(dpdk, """
                {"benchmark":"dpdk.rte_mem_virt2memseg","param":"order=shuffled","ns_per_op":7.0,"error":0.5}
                """);
        List<Result> results = new ArrayList<>(Results.readJmh(jmh));
        results.addAll(Results.readDpdk(dpdk));
        return results;
    }

    private static Issue15.Check check(List<Issue15.Check> checks, String target, String subject) {
        return checks.stream()
                .filter(c -> c.target().startsWith(target) && c.subject().startsWith(subject))
                .findFirst()
                .orElseThrow(() -> new AssertionError(target + " / " + subject + " in " + checks));
    }

    @Test
    void eachTargetIsJudgedWithBothNumbersAndTheRatio(@TempDir Path dir) throws Exception {
        List<Issue15.Check> checks = Issue15.evaluate(results(dir));
        Issue15.Check sva = check(checks, "alloc+free, 1 thread", "wd-mm sva size=64");
        assertEquals("MET", sva.status());
        assertEquals(20.0 / 60.0, sva.ratio(), 1e-9);
        assertEquals(60.0, sva.reference());
        assertEquals(
                "NOT MET",
                check(checks, "alloc+free, 1 thread", "wd-mm noiommu").status());
        assertEquals(
                "MET",
                check(checks, "alloc+free, 1 thread", "wd-mm hugepage allocFreeAddress")
                        .status());
        assertTrue(checks.stream().noneMatch(c -> c.subject().contains("passthrough")), "not a chunk backend");
        Issue15.Check scaling = check(checks, "alloc+free, 2 threads", "wd-mm sva");
        assertEquals(2 * 20.0 / 21.0, scaling.ratio(), 1e-9);
        assertEquals("MET", scaling.status());
        assertEquals(
                "NOT MET",
                check(checks, "alloc+free, 2 threads", "wd-mm noiommu").status());
        Issue15.Check map = check(checks, "a bridge's map", "wd-mm sva order=shuffled");
        assertEquals("MET", map.status());
        assertEquals(7.0, map.reference());
        assertEquals("MET", check(checks, "lifetime model", "wd-mm chunkScope").status());
        assertEquals(
                "MET",
                check(checks, "address API garbage", "wd-mm hugepage allocFreeAddress")
                        .status());
        assertEquals("stated", check(checks, "segment API garbage", "wd-mm sva").status());
        assertEquals("not measured", check(checks, "checked mode", "").status());
    }

    @Test
    void aMissingReferenceIsNotMeasuredNeverMet(@TempDir Path dir) throws Exception {
        List<Result> results = new ArrayList<>(results(dir));
        results.removeIf(r -> r.impl().equals("nettyAdaptiveUnsafe") || r.impl().equals("rte_mem_virt2memseg"));
        List<Issue15.Check> checks = Issue15.evaluate(results);
        assertEquals(
                "not measured",
                check(checks, "alloc+free, 1 thread", "wd-mm sva").status());
        assertEquals(
                "not measured", check(checks, "a bridge's map", "wd-mm sva").status());
        String text = Issue15.text(checks);
        assertTrue(text.contains("not measured"), text);
    }
}
