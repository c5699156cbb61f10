package dev.wdmm.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * SPEC section 7's numbers to beat, each checked against results of the same run: a wd-mm result
 * is compared with the DPDK figure for the same operation and variant, measured minutes apart on
 * the same machine.
 */
final class Targets {

    /**
     * One target.
     *
     * @param name what SPEC 7 calls it
     * @param group the operation group of the wd-mm results it applies to
     * @param variant the variant it applies to, or null for every variant
     * @param references the DPDK results it is relative to (the fastest is used), empty for an absolute target
     * @param limit the largest ratio (relative) or nanoseconds (absolute) that meets it
     */
    record Target(String name, String group, String variant, List<String> references, double limit) {
        String rule() {
            return references.isEmpty()
                    ? "<= " + Markdown.num(limit) + " ns"
                    : "<= " + limit + "x " + String.join(" / ", references);
        }
    }

    /**
     * The verdict on one wd-mm result.
     *
     * @param target the target's name
     * @param rule the target's rule as text
     * @param subject the wd-mm result (implementation, variant), or what is missing
     * @param measured ns/op (or B/op for the garbage target), NaN when not measured
     * @param reference the reference ns/op, NaN when absolute or missing
     * @param status {@code met}, {@code NOT met} or {@code not measured}
     */
    record Verdict(String target, String rule, String subject, double measured, double reference, String status) {}

    static final List<Target> SPEC7 = List.of(
            new Target("pool get+put, 4 KiB", "pool get+put", "size=4096", List.of("rte_mempool_get_put"), 1.5),
            new Target(
                    "pool bulk get+put of 32, per block (issue 16)",
                    "pool bulk get+put (per block)",
                    "size=4096",
                    List.of("rte_mempool_bulk_get_put"),
                    1.5),
            new Target(
                    "translate inside a pool/region",
                    "map interior",
                    null,
                    List.of("rte_malloc_virt2iova", "rte_mem_virt2memseg"),
                    1.0),
            new Target(
                    "pagemap translate, uncached",
                    "pagemap translate",
                    "mode=uncached",
                    List.of("rte_mem_virt2phy"),
                    0.3),
            new Target("pagemap translate, cached", "pagemap translate", "mode=cached", List.of(), 10.0),
            new Target("general malloc + free, 4 KiB", "alloc+free", "size=4096", List.of("rte_malloc_free"), 0.5));

    private Targets() {}

    static List<Verdict> evaluate(List<Result> results) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Target t : SPEC7) {
            List<Result> subjects = results.stream()
                    .filter(r -> r.kind() == Kind.WDMM && r.group().equals(t.group()) && r.threads() == 1)
                    .filter(r -> t.variant() == null || r.variant().equals(t.variant()))
                    .toList();
            if (subjects.isEmpty()) {
                verdicts.add(new Verdict(
                        t.name(),
                        t.rule(),
                        "no wd-mm result for " + t.group() + (t.variant() == null ? "" : " " + t.variant())
                                + " in this run",
                        Double.NaN,
                        Double.NaN,
                        "not measured"));
            }
            for (Result s : subjects) {
                verdicts.add(judge(t, s, reference(t, s, results)));
            }
        }
        verdicts.addAll(garbage(results));
        return verdicts;
    }

    private static double reference(Target t, Result subject, List<Result> results) {
        return results.stream()
                .filter(r -> r.kind() == Kind.C_PEER && t.references().contains(r.impl()))
                .filter(r ->
                        r.threads() == 1 && (t.variant() != null || r.variant().equals(subject.variant())))
                .mapToDouble(Result::nsPerOp)
                .min()
                .orElse(Double.NaN);
    }

    private static Verdict judge(Target t, Result s, double reference) {
        String subject = s.impl() + " " + s.variant();
        if (t.references().isEmpty()) {
            return new Verdict(
                    t.name(), t.rule(), subject, s.nsPerOp(), Double.NaN, s.nsPerOp() <= t.limit() ? "met" : "NOT met");
        }
        if (Double.isNaN(reference)) {
            return new Verdict(
                    t.name(),
                    t.rule(),
                    subject + " (DPDK reference missing: peer not run)",
                    s.nsPerOp(),
                    Double.NaN,
                    "not measured");
        }
        return new Verdict(
                t.name(),
                t.rule(),
                subject,
                s.nsPerOp(),
                reference,
                s.nsPerOp() / reference <= t.limit() ? "met" : "NOT met");
    }

    /** SPEC 7: hot paths allocate no Java garbage (less than 1 B/op counts as none). */
    private static List<Verdict> garbage(List<Result> results) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Result r : results) {
            if (r.kind() == Kind.WDMM && !Double.isNaN(r.bytesPerOp())) {
                verdicts.add(new Verdict(
                        "no garbage on the hot path",
                        "< 1 B/op (-prof gc)",
                        r.impl() + " " + r.group() + " " + r.variant() + " " + r.threads() + "t",
                        r.bytesPerOp(),
                        Double.NaN,
                        r.bytesPerOp() < 1.0 ? "met" : "NOT met"));
            }
        }
        if (verdicts.isEmpty()) {
            verdicts.add(new Verdict(
                    "no garbage on the hot path",
                    "< 1 B/op (-prof gc)",
                    "no wd-mm result with -prof gc in this run",
                    Double.NaN,
                    Double.NaN,
                    "not measured"));
        }
        return verdicts;
    }
}
