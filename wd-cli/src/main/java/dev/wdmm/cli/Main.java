package dev.wdmm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdDetectionException;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.nativeio.LongTermPins;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code wd-mm [doctor] [--json] [--open] [--root DIR]}: prints the detected IOMMU mode with its evidence,
 * every backend found with its availability, reason and fix, the backend that would be selected
 * and why, and how pages are held in place for physical-address backends (io_uring pinning,
 * {@code kernel.io_uring_disabled}, {@code vm.compact_unevictable_allowed}, the memlock budget);
 * with {@code --open}, the selected bridge's accounting ({@link dev.wdmm.api.WdStats}) while a
 * 4 KiB probe allocation is live.
 * Exit codes: {@value #SELECTED} a backend is selected (warnings, such as a backend name two jars
 * provide that the selection does not involve, an unknown option of another backend or a forced
 * choice, are printed in the report), {@value #NONE_USABLE} the report was printed but no backend is
 * usable (including when the configured or detected backend's name is provided twice, or its
 * options have an unknown key or a bad value), {@value #USAGE} bad command line, {@value #ERROR}
 * detection failed (malformed sysfs file) or the configuration cannot be read. The report is
 * printed whenever the exit code is 0 or 3.
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
            usage: wd-mm [doctor] [--json] [--open] [--root DIR]
              doctor        detected IOMMU mode with evidence, every backend found with its
                            availability, and the backend that would be selected (default)
              --json        the same report as one JSON object
              --open        also open the selected backend briefly, allocate one 4 KiB probe and
                            show the bridge's accounting (WdStats), then free and close it
              --root DIR    read sys/ and proc/ under DIR instead of / (fixture trees)
            exit codes: 0 a backend is selected (warnings are in the report), 3 none usable
                        here (the report says why: unavailable, a duplicate name, an unknown
                        option, a mode the configured backend does not serve), 2 bad command
                        line, 1 detection failed or the configuration cannot be read
            """;

    /**
     * Indented JSON, one array item per line, {@code "key": value} (scripts grep for
     * {@code "mode": "NO_IOMMU"}), empty lists as {@code []}.
     */
    private static final ObjectWriter JSON = new ObjectMapper()
            .writer(new DefaultPrettyPrinter()
                    .withSeparators(Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                            .withObjectEmptySeparator("")
                            .withArrayEmptySeparator(""))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n")));

    private Main() {}

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
        return run(args, out, err, Discovery.load(), ConfigSources.system());
    }

    /**
     * Runs the command line over given providers and configuration sources (tests).
     *
     * @param args the arguments
     * @param out where the report goes
     * @param err where errors go
     * @param discovery the providers found
     * @param sources the configuration sources
     * @return the exit code
     */
    static int run(String[] args, PrintStream out, PrintStream err, Discovery discovery, ConfigSources sources) {
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.getFirst().equals("doctor")) {
            rest.removeFirst();
        }
        boolean json = false;
        boolean open = false;
        Path root = Path.of("/");
        for (int i = 0; i < rest.size(); i++) {
            switch (rest.get(i)) {
                case "--json" -> json = true;
                case "--open" -> open = true;
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
        return doctor(root, json, open, out, err, discovery, sources);
    }

    private static int doctor(
            Path root,
            boolean json,
            boolean open,
            PrintStream out,
            PrintStream err,
            Discovery discovery,
            ConfigSources sources) {
        Selection selection;
        try {
            selection = WdMm.builder()
                    .root(root)
                    .discovery(discovery)
                    .sources(sources)
                    .select();
        } catch (WdDetectionException | IllegalArgumentException e) {
            err.println("wd-mm: " + e.getMessage());
            return ERROR;
        }
        // how pages are held in place is a fact of this process, not of the sysfs tree: shown with --root too
        DoctorReport report = DoctorReport.of(selection, discovery, LongTermPins.report(), root);
        if (open && selection.selected().isPresent()) {
            report = report.withAccounting(DoctorAccounting.probe(root, discovery, sources));
        }
        if (json) {
            try {
                out.println(JSON.writeValueAsString(report));
            } catch (JsonProcessingException e) {
                err.println("wd-mm: cannot write the report as JSON: " + e.getMessage());
                return ERROR;
            }
        } else {
            out.print(report.text());
        }
        return selection.selected().isPresent() ? SELECTED : NONE_USABLE;
    }
}
