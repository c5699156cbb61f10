package dev.wdmm.cli;

import dev.wdmm.core.Selection;
import dev.wdmm.core.WdDetectionException;
import dev.wdmm.core.WdDiscoveryException;
import dev.wdmm.core.WdMm;
import dev.wdmm.core.nativeio.LongTermPins;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code wd-mm [doctor] [--json] [--root DIR]}: prints the detected IOMMU mode with its evidence,
 * every backend found with its availability, reason and fix, the backend that would be selected
 * and why, and how pages are held in place for physical-address backends (io_uring pinning,
 * {@code kernel.io_uring_disabled}, {@code vm.compact_unevictable_allowed}, the memlock budget).
 * Exit codes: {@value #SELECTED} a backend is selected, {@value #NONE_USABLE} the report was
 * printed but no backend is usable, {@value #USAGE} bad command line, {@value #ERROR} detection
 * or discovery failed (malformed sysfs file, duplicate backend names).
 */
public final class Main {
    /** Exit code: a backend is selected. */
    public static final int SELECTED = 0;
    /** Exit code: internal or environment error; the message says which. */
    public static final int ERROR = 1;
    /** Exit code: bad command line. */
    public static final int USAGE = 2;
    /** Exit code: the report was printed, but no backend can be used here. */
    public static final int NONE_USABLE = 3;

    private static final String HELP = """
            usage: wd-mm [doctor] [--json] [--root DIR]
              doctor        detected IOMMU mode with evidence, every backend found with its
                            availability, and the backend that would be selected (default)
              --json        the same report as one JSON object
              --root DIR    read sys/ and proc/ under DIR instead of / (fixture trees)
            exit codes: 0 a backend is selected, 3 none usable here, 2 bad command line,
                        1 detection or discovery failed
            """;

    private Main() {
    }

    /**
     * Runs the command line and exits with its code.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line.
     *
     * @param args the arguments
     * @param out where the report goes
     * @param err where errors go
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.getFirst().equals("doctor")) {
            rest.removeFirst();
        }
        boolean json = false;
        Path root = Path.of("/");
        for (int i = 0; i < rest.size(); i++) {
            switch (rest.get(i)) {
                case "--json" -> json = true;
                case "--root" -> {
                    if (i + 1 == rest.size()) {
                        err.print("wd-mm: --root needs a directory\n" + HELP);
                        return USAGE;
                    }
                    root = Path.of(rest.get(++i));
                }
                case "-h", "--help", "help" -> {
                    out.print(HELP);
                    return SELECTED;
                }
                default -> {
                    err.print("wd-mm: unknown argument '" + rest.get(i) + "'\n" + HELP);
                    return USAGE;
                }
            }
        }
        return doctor(root, json, out, err);
    }

    private static int doctor(Path root, boolean json, PrintStream out, PrintStream err) {
        Selection selection;
        try {
            selection = WdMm.builder().root(root).select();
        } catch (WdDetectionException | WdDiscoveryException e) {
            err.println("wd-mm: " + e.getMessage());
            return ERROR;
        }
        LongTermPins.Report pinning = LongTermPins.report();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>(selection.toMap());
            report.put("pinning", pinningMap(pinning));
            out.println(Json.write(report));
        } else {
            out.print(selection.toText());
            out.print(pinningText(pinning));
        }
        return selection.selected().isPresent() ? SELECTED : NONE_USABLE;
    }

    /**
     * How backends that hand out physical addresses hold their pages in place, for the text report.
     * A fact of this process, not of the sysfs tree, so it is shown with {@code --root} too.
     */
    static String pinningText(LongTermPins.Report pinning) {
        StringBuilder text = new StringBuilder();
        text.append("pinning (how noiommu, hugepage, passthrough and queue reserved memory hold DMA pages in place): ")
                .append(pinning.method()).append('\n');
        text.append("  ").append(pinning.available() ? "available" : "unavailable: " + pinning.reason()).append('\n');
        pinning.facts().forEach(fact -> text.append("  fact: ").append(fact).append('\n'));
        return text.toString();
    }

    static Map<String, Object> pinningMap(LongTermPins.Report pinning) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("method", pinning.method());
        map.put("available", pinning.available());
        map.put("reason", pinning.reason());
        map.put("facts", pinning.facts());
        return map;
    }
}
