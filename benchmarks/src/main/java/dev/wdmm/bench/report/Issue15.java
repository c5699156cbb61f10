package dev.wdmm.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Issue 15's numbers, each checked against results of the same run: every chunk-allocator
 * backend's alloc+free against Netty's adaptive allocator (Unsafe allowed), two threads against
 * one, the bridge's map of shuffled interior addresses against DPDK's {@code rte_mem_virt2memseg},
 * the lifetime model against a segment with no scope, and the garbage of the address and segment
 * APIs.
 */
final class Issue15 {
    /** The backends built on the chunk allocator (passthrough keeps its fixed block pool). */
    static final List<String> CHUNK_BACKENDS = List.of("sva", "noiommu", "hugepage", "vfio");

    static final double ALLOC_LIMIT = 0.5;
    static final double SCALING_LIMIT = 1.8;
    static final double MAP_LIMIT = 1.0;
    static final double LIFETIME_LIMIT = 1.1;

    /**
     * One checked number.
     *
     * @param target what issue 15 asks
     * @param rule the rule as text
     * @param subject the wd-mm result and the reference it is compared with
     * @param measured the wd-mm figure (ns/op, or B/op for garbage)
     * @param reference the reference figure, NaN for an absolute rule
     * @param ratio what the rule limits (measured / reference, or the throughput gain), NaN if none
     * @param status {@code MET}, {@code NOT MET}, {@code stated} or {@code not measured}
     */
    record Check(
            String target,
            String rule,
            String subject,
            double measured,
            double reference,
            double ratio,
            String status) {}

    private Issue15() {}

    static List<Check> evaluate(List<Result> results) {
        List<Check> checks = new ArrayList<>();
        allocFree(results, checks);
        scaling(results, checks);
        map(results, checks);
        lifetime(results, checks);
        garbage(results, checks);
        return checks;
    }

    private static boolean chunkBackend(Result r) {
        String[] words = r.impl().split(" ");
        return r.kind() == Kind.WDMM && words.length >= 2 && CHUNK_BACKENDS.contains(words[1]);
    }

    private static void allocFree(List<Result> results, List<Check> checks) {
        String target = "alloc+free, 1 thread, every backend and size";
        String rule = "<= " + ALLOC_LIMIT + "x Netty adaptive (Unsafe)";
        List<Result> subjects =
                pick(results, r -> r.group().equals("alloc+free") && r.threads() == 1 && chunkBackend(r));
        if (subjects.isEmpty()) {
            checks.add(missing(target, rule, "no chunk-allocator backend's alloc+free in this run"));
        }
        for (Result s : subjects) {
            Optional<Result> netty = find(
                    results,
                    r -> r.impl().equals("nettyAdaptiveUnsafe")
                            && r.threads() == 1
                            && r.variant().equals(s.variant()));
            checks.add(relative(target, rule, s, netty, ALLOC_LIMIT));
        }
    }

    private static void scaling(List<Result> results, List<Check> checks) {
        String target = "alloc+free, 2 threads vs 1, every backend";
        String rule = ">= " + SCALING_LIMIT + "x one thread's throughput";
        List<Result> subjects =
                pick(results, r -> r.group().equals("alloc+free") && r.threads() == 2 && chunkBackend(r));
        if (subjects.isEmpty()) {
            checks.add(missing(target, rule, "no two-thread alloc+free of a chunk-allocator backend in this run"));
        }
        for (Result two : subjects) {
            Optional<Result> one = find(
                    results,
                    r -> r.group().equals(two.group())
                            && r.impl().equals(two.impl())
                            && r.variant().equals(two.variant())
                            && r.threads() == 1);
            String subject = two.impl() + " " + two.variant() + ": ns/op per thread, 2 threads vs 1";
            if (one.isEmpty()) {
                checks.add(missing(target, rule, subject + " (one-thread result missing)"));
                continue;
            }
            // AverageTime per thread: two threads do 2 operations per (their) ns/op
            double gain = 2 * one.get().nsPerOp() / two.nsPerOp();
            checks.add(new Check(
                    target,
                    rule,
                    subject,
                    two.nsPerOp(),
                    one.get().nsPerOp(),
                    gain,
                    gain >= SCALING_LIMIT ? "MET" : "NOT MET"));
        }
    }

    private static void map(List<Result> results, List<Check> checks) {
        String target = "a bridge's map of interior addresses, shuffled over 1024 allocations in 64 MiB";
        String rule = "<= " + MAP_LIMIT + "x rte_mem_virt2memseg";
        List<Result> subjects = pick(
                results,
                r -> r.source().startsWith("dev.wdmm.bench.MapBench.")
                        && r.threads() == 1
                        && r.variant().equals("order=shuffled"));
        if (subjects.isEmpty()) {
            checks.add(missing(target, rule, "no shuffled MapBench result in this run"));
        }
        for (Result s : subjects) {
            Optional<Result> dpdk = find(
                    results,
                    r -> r.impl().equals("rte_mem_virt2memseg")
                            && r.threads() == 1
                            && r.variant().equals("order=shuffled"));
            checks.add(relative(target, rule, s, dpdk, MAP_LIMIT));
        }
    }

    private static void lifetime(List<Result> results, List<Check> checks) {
        String target = "lifetime model, fast mode: segment with the chunk's scope + a write";
        String rule = "stated; <= " + LIFETIME_LIMIT + "x the global-scope segment counts as no cost";
        Optional<Result> baseline = find(results, r -> r.source().endsWith("LifetimeBench.globalScope"));
        List<Result> subjects = pick(
                results,
                r -> r.source().startsWith("dev.wdmm.bench.LifetimeBench.")
                        && !r.source().endsWith(".globalScope"));
        if (subjects.isEmpty()) {
            checks.add(missing(target, rule, "no LifetimeBench result in this run"));
        }
        for (Result s : subjects) {
            checks.add(relative(target, rule, s, baseline, LIFETIME_LIMIT));
        }
        List<Result> checked = pick(results, r -> r.source().startsWith("dev.wdmm.bench.CheckedModeBench."));
        if (checked.isEmpty()) {
            checks.add(missing("checked mode's cost", "stated", "no CheckedModeBench result in this run"));
        }
        for (Result r : checked) {
            checks.add(new Check(
                    "checked mode's cost",
                    "stated",
                    r.impl() + " " + r.variant() + " " + r.threads() + "t",
                    r.nsPerOp(),
                    Double.NaN,
                    Double.NaN,
                    "stated"));
        }
    }

    private static void garbage(List<Result> results, List<Check> checks) {
        for (Result r : pick(results, r -> r.group().equals("alloc+free") && chunkBackend(r))) {
            boolean address = r.impl().contains("Address");
            double b = r.bytesPerOp();
            String subject = r.impl() + " " + r.variant() + " " + r.threads() + "t";
            if (address) {
                checks.add(new Check(
                        "address API garbage (allocAddress/freeAddress)",
                        "< 1 B/op (-prof gc)",
                        subject,
                        b,
                        Double.NaN,
                        Double.NaN,
                        Double.isNaN(b) ? "not measured" : b < 1.0 ? "MET" : "NOT MET"));
            } else {
                checks.add(new Check(
                        "segment API garbage (alloc/free)",
                        "stated",
                        subject,
                        b,
                        Double.NaN,
                        Double.NaN,
                        Double.isNaN(b) ? "not measured" : "stated"));
            }
        }
    }

    private static Check relative(String target, String rule, Result s, Optional<Result> reference, double limit) {
        String subject = s.impl() + " " + s.variant();
        if (reference.isEmpty()) {
            return new Check(
                    target,
                    rule,
                    subject + " (reference not in this run)",
                    s.nsPerOp(),
                    Double.NaN,
                    Double.NaN,
                    "not measured");
        }
        double ratio = s.nsPerOp() / reference.get().nsPerOp();
        return new Check(
                target,
                rule,
                subject + " vs " + reference.get().impl(),
                s.nsPerOp(),
                reference.get().nsPerOp(),
                ratio,
                ratio <= limit ? "MET" : "NOT MET");
    }

    private static Check missing(String target, String rule, String why) {
        return new Check(target, rule, why, Double.NaN, Double.NaN, Double.NaN, "not measured");
    }

    private static List<Result> pick(List<Result> results, Predicate<Result> filter) {
        return results.stream().filter(filter).toList();
    }

    private static Optional<Result> find(List<Result> results, Predicate<Result> filter) {
        return results.stream().filter(filter).findFirst();
    }

    /** The checks as a plain-text table, for the terminal. */
    static String text(List<Check> checks) {
        StringBuilder out = new StringBuilder("issue 15 targets (this run):\n");
        for (Check c : checks) {
            out.append(String.format(
                    Locale.ROOT,
                    "  %-12s %-70s %10s %10s %8s  %s%n",
                    c.status(),
                    c.subject(),
                    Markdown.num(c.measured()),
                    Markdown.num(c.reference()),
                    Double.isNaN(c.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx", c.ratio()),
                    c.rule()));
        }
        return out.toString();
    }

    /** The checks as a Markdown section. */
    static void markdown(StringBuilder md, List<Check> checks) {
        md.append("\n## Issue 15 targets (measured in this run)\n\n")
                .append("| target | rule | wd-mm result vs reference | measured | reference | ratio | status |\n")
                .append("|---|---|---|---:|---:|---:|---|\n");
        for (Check c : checks) {
            String status = switch (c.status()) {
                case "MET" -> "✅ MET";
                case "NOT MET" -> "❌ NOT MET";
                case "stated" -> "stated";
                default -> "⚪ not measured";
            };
            md.append("| ")
                    .append(c.target())
                    .append(" | ")
                    .append(c.rule())
                    .append(" | ")
                    .append(c.subject())
                    .append(" | ")
                    .append(Markdown.num(c.measured()))
                    .append(" | ")
                    .append(Markdown.num(c.reference()))
                    .append(" | ")
                    .append(Double.isNaN(c.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx", c.ratio()))
                    .append(" | ")
                    .append(status)
                    .append(" |\n");
        }
        long notMet = checks.stream().filter(c -> c.status().equals("NOT MET")).count();
        if (notMet > 0) {
            md.append("\n")
                    .append(notMet)
                    .append(" target(s) NOT met in this run; why is in the README's performance section"
                            + " (figures from a shared 2-core machine: compare ratios of one run).\n");
        }
    }
}
