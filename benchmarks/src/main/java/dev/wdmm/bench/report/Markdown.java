package dev.wdmm.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes the Markdown report: one table per operation group, then SPEC 7's targets. */
final class Markdown {

    private Markdown() {}

    static String render(
            Map<String, String> header,
            List<Result> results,
            List<Targets.Verdict> verdicts,
            List<String> groups,
            List<String> notes) {
        StringBuilder md = new StringBuilder("# wd-mm benchmark report\n\n");
        header.forEach(
                (k, v) -> md.append("- **").append(k).append("**: ").append(v).append('\n'));
        md.append("\nns/op is the mean time per operation (± the 99.9% confidence half-width); "
                + "*vs best peer* divides it by the fastest peer (Java or DPDK) for the same operation, "
                + "so below 1.00x is faster than every peer; B/op is Java heap garbage per operation "
                + "from JMH's `-prof gc` (blank for C).\n");
        for (String note : notes) {
            md.append("\n> ").append(note).append('\n');
        }
        for (String group : groups) {
            List<Result> rows =
                    results.stream().filter(r -> r.group().equals(group)).toList();
            if (!rows.isEmpty()) {
                table(md, group, rows);
            }
        }
        targets(md, verdicts);
        Issue15.markdown(md, Issue15.evaluate(results));
        return md.toString();
    }

    private static void table(StringBuilder md, String group, List<Result> rows) {
        md.append("\n## ")
                .append(group)
                .append("\n\n![")
                .append(group)
                .append("](")
                .append(Report.chartFile(group))
                .append(")\n\n")
                .append("| variant | threads | implementation | kind | ns/op | ± | vs best peer | B/op |\n")
                .append("|---|---:|---|---|---:|---:|---:|---:|\n");
        Map<String, Double> bestPeer = bestPeers(rows);
        for (Result r : rows) {
            Double best = bestPeer.get(r.operation());
            String ratio = best == null ? "no peer" : String.format(Locale.ROOT, "%.2fx", r.nsPerOp() / best);
            if (best != null && r.kind().isPeer() && r.nsPerOp() == best) {
                ratio += " (best peer)";
            }
            String impl = r.kind() == Kind.WDMM ? "**" + r.impl() + "**" : r.impl();
            md.append("| ")
                    .append(r.variant())
                    .append(" | ")
                    .append(r.threads())
                    .append(" | ")
                    .append(impl)
                    .append(" | ")
                    .append(r.kind().label)
                    .append(" | ")
                    .append(num(r.nsPerOp()))
                    .append(" | ")
                    .append(num(r.error()))
                    .append(" | ")
                    .append(ratio)
                    .append(" | ")
                    .append(num(r.bytesPerOp()))
                    .append(" |\n");
        }
    }

    /** The fastest peer's ns/op for each operation. */
    static Map<String, Double> bestPeers(List<Result> rows) {
        Map<String, Double> best = new LinkedHashMap<>();
        for (Result r : rows) {
            if (r.kind().isPeer()) {
                best.merge(r.operation(), r.nsPerOp(), Math::min);
            }
        }
        return best;
    }

    private static void targets(StringBuilder md, List<Targets.Verdict> verdicts) {
        md.append("\n## SPEC 7 targets (measured in this run)\n\n")
                .append("| target | rule | wd-mm result | measured | DPDK | ratio | status |\n")
                .append("|---|---|---|---:|---:|---:|---|\n");
        for (Targets.Verdict v : verdicts) {
            String ratio = Double.isNaN(v.reference()) || Double.isNaN(v.measured())
                    ? ""
                    : String.format(Locale.ROOT, "%.2fx", v.measured() / v.reference());
            String status = switch (v.status()) {
                case "met" -> "✅ met";
                case "NOT met" -> "❌ NOT met";
                default -> "⚪ not measured";
            };
            md.append("| ")
                    .append(v.target())
                    .append(" | ")
                    .append(v.rule())
                    .append(" | ")
                    .append(v.subject())
                    .append(" | ")
                    .append(num(v.measured()))
                    .append(" | ")
                    .append(num(v.reference()))
                    .append(" | ")
                    .append(ratio)
                    .append(" | ")
                    .append(status)
                    .append(" |\n");
        }
    }

    /** A number with sensible precision, blank for NaN. */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        String pattern = a >= 1000 ? "%,.0f" : a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }
}
