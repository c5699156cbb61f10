package dev.wdmm.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Reads JMH's JSON and the DPDK peer's JSON lines into {@link Result}s, placing each benchmark in
 * its operation group by the rules in {@link #RULES}. A new suite gets one rule here; one without
 * a rule still appears, grouped by its class name.
 */
final class Results {

    /** How a benchmark name maps to a group, a kind, and optionally a fixed variant. */
    record Rule(String prefix, String group, Kind kind, String variant) {}

    /** Groups in report order. The first rule whose prefix starts the benchmark name wins. */
    static final List<Rule> RULES = List.of(
            new Rule("dev.wdmm.bench.AllocFreeBench.", "alloc+free", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.HugepageAddressBench.", "alloc+free", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.AllocFree", "alloc+free", Kind.JAVA_PEER, null),
            new Rule("dpdk.rte_malloc_free", "alloc+free", Kind.C_PEER, null),
            new Rule("dev.wdmm.bench.BlockPoolBench.", "pool get+put", Kind.WDMM, null),
            new Rule("dpdk.rte_mempool_get_put", "pool get+put", Kind.C_PEER, null),
            new Rule("dev.wdmm.bench.BlockPoolBulkBench.", "pool bulk get+put (per block)", Kind.WDMM, null),
            new Rule("dpdk.rte_mempool_bulk_get_put", "pool bulk get+put (per block)", Kind.C_PEER, null),
            new Rule("dev.wdmm.bench.MapBench.", "map interior", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.PoolMapBench.", "map interior", Kind.WDMM, null),
            new Rule("dpdk.rte_malloc_virt2iova", "map interior", Kind.C_PEER, null),
            new Rule("dpdk.rte_mem_virt2memseg", "map interior", Kind.C_PEER, null),
            new Rule("dev.wdmm.bench.IovaLookupBench.", "iova to va", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.PagemapBench.", "pagemap translate", Kind.WDMM, null),
            new Rule("dpdk.rte_mem_virt2phy", "pagemap translate", Kind.C_PEER, "mode=uncached"),
            new Rule("dev.wdmm.bench.SglBench.", "sgl build", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.SglWriterBench.", "sgl from a buffer list", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.PinBench.", "pin+unpin", Kind.WDMM, null),
            new Rule("dev.wdmm.bench.LifetimeBench.", "segment access", Kind.WDMM, null));

    private static final ObjectMapper JSON = new ObjectMapper();

    private Results() {}

    /** The group names in report order, then any others in order of appearance. */
    static List<String> groupOrder(List<Result> results) {
        List<String> order = new ArrayList<>();
        RULES.forEach(r -> {
            if (!order.contains(r.group())) {
                order.add(r.group());
            }
        });
        results.forEach(r -> {
            if (!order.contains(r.group())) {
                order.add(r.group());
            }
        });
        return order;
    }

    static List<Result> readJmh(Path file) throws IOException {
        List<Result> results = new ArrayList<>();
        for (JsonNode run : JSON.readTree(file.toFile())) {
            String name = run.path("benchmark").asText();
            Map<String, String> params = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : run.path("params").properties()) {
                params.put(e.getKey(), e.getValue().asText());
            }
            String backend = params.remove("backend");
            if (backend == null && name.startsWith("dev.wdmm.bench.HugepageAddressBench.")) {
                backend = "hugepage"; // the suite of the hugepage-only address API has no backend parameter
            }
            String method = name.substring(name.lastIndexOf('.') + 1).replace("2Threads", "");
            Rule rule = ruleFor(name);
            String className = name.substring(0, name.lastIndexOf('.'));
            String group = rule != null ? rule.group() : className.substring(className.lastIndexOf('.') + 1);
            Kind kind = rule != null ? rule.kind() : (backend != null ? Kind.WDMM : Kind.JAVA_PEER);
            String impl = backend != null
                    ? "wd-mm " + backend + (isDefaultMethod(method) ? "" : " " + method)
                    : kind == Kind.WDMM ? "wd-mm " + method : method;
            JsonNode primary = run.path("primaryMetric");
            JsonNode gc = run.path("secondaryMetrics").path("gc.alloc.rate.norm");
            results.add(new Result(
                    group,
                    variant(rule, params),
                    run.path("threads").asInt(1),
                    impl,
                    kind,
                    toNanos(
                            primary.path("score").asDouble(),
                            primary.path("scoreUnit").asText()),
                    toNanos(
                            number(primary.path("scoreError")),
                            primary.path("scoreUnit").asText()),
                    gc.isMissingNode() ? Double.NaN : number(gc.path("score")),
                    name));
        }
        return results;
    }

    /** A method named after the operation (the backend suites) adds nothing to the backend's name. */
    private static boolean isDefaultMethod(String method) {
        return List.of("allocFree", "map", "getPut", "getPutBulk", "translate", "build", "write")
                .contains(method);
    }

    static List<Result> readDpdk(Path file) throws IOException {
        List<Result> results = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            String name = n.path("benchmark").asText();
            Rule rule = ruleFor(name);
            String group = rule != null ? rule.group() : "dpdk";
            String variant = rule != null && rule.variant() != null
                    ? rule.variant()
                    : n.path("param").asText();
            results.add(new Result(
                    group,
                    variant,
                    n.path("threads").asInt(1),
                    name.replace("dpdk.", ""),
                    Kind.C_PEER,
                    n.path("ns_per_op").asDouble(),
                    number(n.path("error")),
                    Double.NaN,
                    name));
        }
        return results;
    }

    private static Rule ruleFor(String name) {
        return RULES.stream()
                .filter(r -> name.startsWith(r.prefix()))
                .findFirst()
                .orElse(null);
    }

    private static String variant(Rule rule, Map<String, String> params) {
        if (rule != null && rule.variant() != null) {
            return rule.variant();
        }
        StringJoiner joiner = new StringJoiner(" ");
        params.forEach((k, v) -> joiner.add(k + "=" + v));
        return joiner.length() == 0 ? "-" : joiner.toString();
    }

    private static double number(JsonNode node) {
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asText("NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static double toNanos(double value, String unit) {
        return switch (unit) {
            case "us/op" -> value * 1e3;
            case "ms/op" -> value * 1e6;
            case "s/op" -> value * 1e9;
            default -> value;
        };
    }
}
