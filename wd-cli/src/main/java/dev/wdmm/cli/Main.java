package dev.wdmm.cli;

import dev.wdmm.core.Selection;
import dev.wdmm.core.WdDetectionException;
import dev.wdmm.core.WdDiscoveryException;
import dev.wdmm.core.WdMm;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code wd-mm [doctor] [--json] [--root DIR]}: prints the detected IOMMU mode with its evidence,
 * every backend found with its availability, reason and fix, and the backend that would be
 * selected and why. Exit codes: {@value #SELECTED} a backend is selected, {@value #NONE_USABLE}
 * the report was printed but no backend is usable, {@value #USAGE} bad command line,
 * {@value #ERROR} detection or discovery failed (malformed sysfs file, duplicate backend names).
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
        out.println(json ? Json.write(selection.toMap()) : selection.toText());
        return selection.selected().isPresent() ? SELECTED : NONE_USABLE;
    }
}
