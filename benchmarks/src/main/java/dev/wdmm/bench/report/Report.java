package dev.wdmm.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one benchmark run into {@code report.md}, {@code report.json} and one SVG chart per
 * operation group, in an output directory.
 *
 * <p>Usage: {@code Report --out DIR [--jmh jmh.json]... [--dpdk dpdk.jsonl] [--command TEXT]
 * [--note TEXT]...}. A missing input is reported in the Markdown (a note, and targets that need
 * it as "not measured"), never silently dropped. Exit code 0 when written, 2 on bad usage, 1 when
 * an input cannot be read.
 */
public final class Report {

    private static final Pattern NUMBER = Pattern.compile("=(\\d+)");

    private Report() {}

    /**
     * Writes the report.
     *
     * @param args see the class description
     * @throws IOException when an input cannot be read or an output written
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> jmhFiles = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (!List.of("--out", "--jmh", "--dpdk", "--command", "--note").contains(key) || i + 1 >= args.length) {
                System.err.println("report: argument=" + key + " unknown or without value; usage: --out DIR "
                        + "[--jmh FILE]... [--dpdk FILE] [--command TEXT] [--note TEXT]...");
                System.exit(2);
            }
            if (key.equals("--note")) {
                notes.add(args[++i]);
            } else if (key.equals("--jmh")) {
                jmhFiles.add(args[++i]);
            } else {
                opts.put(key, args[++i]);
            }
        }
        if (!opts.containsKey("--out")) {
            System.err.println("report: --out DIR is required");
            System.exit(2);
        }
        Path out = Path.of(opts.get("--out"));
        List<Result> results = new ArrayList<>();
        String jvm = null;
        for (String file : jmhFiles.isEmpty() ? Collections.<String>singletonList(null) : jmhFiles) {
            String v = read(file, "JMH", notes, results, true);
            jvm = jvm == null ? v : jvm;
        }
        read(opts.get("--dpdk"), "DPDK", notes, results, false);
        results.sort(order());
        write(out, header(opts.get("--command"), jvm), results, notes);
    }

    private static String read(String file, String what, List<String> notes, List<Result> into, boolean jmh)
            throws IOException {
        if (file == null || !Files.isRegularFile(Path.of(file)) || Files.size(Path.of(file)) == 0) {
            notes.add("**" + what + " results missing** (" + (file == null ? "not given" : file + " absent or empty")
                    + "): their rows and the targets that need them are not in this report.");
            return null;
        }
        into.addAll(jmh ? Results.readJmh(Path.of(file)) : Results.readDpdk(Path.of(file)));
        if (!jmh) {
            return null;
        }
        return new ObjectMapper()
                .readTree(Path.of(file).toFile())
                .path(0)
                .path("vmVersion")
                .asText(null);
    }

    private static void write(Path out, Map<String, String> header, List<Result> results, List<String> notes)
            throws IOException {
        Files.createDirectories(out);
        List<Targets.Verdict> verdicts = Targets.evaluate(results);
        List<String> groups = Results.groupOrder(results);
        Files.writeString(out.resolve("report.md"), Markdown.render(header, results, verdicts, groups, notes));
        for (String group : groups) {
            List<Result> rows =
                    results.stream().filter(r -> r.group().equals(group)).toList();
            if (!rows.isEmpty()) {
                Files.writeString(out.resolve(chartFile(group)), SvgChart.render(group, rows));
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("header", header);
        json.put("notes", notes);
        json.put("results", results);
        json.put("targets", verdicts);
        json.put("issue15", Issue15.evaluate(results));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("report.json").toFile(), json);
        System.out.print(Issue15.text(Issue15.evaluate(results)));
        System.out.println("report: " + out.resolve("report.md") + " (also report.json and "
                + groups.stream()
                        .filter(g -> results.stream().anyMatch(r -> r.group().equals(g)))
                        .count()
                + " SVG charts in " + out + ")");
    }

    /** The chart's file name for a group. */
    static String chartFile(String group) {
        return group.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + ".svg";
    }

    private static Comparator<Result> order() {
        List<String> groups = Results.groupOrder(List.of());
        return Comparator.<Result>comparingInt(
                        r -> groups.contains(r.group()) ? groups.indexOf(r.group()) : groups.size())
                .thenComparing(Result::group)
                .thenComparingLong(r -> leadingNumber(r.variant()))
                .thenComparing(Result::variant)
                .thenComparingInt(Result::threads)
                .thenComparing(Result::kind)
                .thenComparingDouble(Result::nsPerOp);
    }

    private static long leadingNumber(String variant) {
        Matcher m = NUMBER.matcher(variant);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static Map<String, String> header(String command, String jvm) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("generated", Instant.now().toString());
        h.put("command", command == null ? "(not given)" : "`" + command + "`");
        h.put(
                "machine",
                cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, Linux "
                        + System.getProperty("os.version"));
        h.put("JVM", jvm == null ? System.getProperty("java.vm.version") : jvm);
        return h;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
