package dev.wdmm.memory.testing;

import dev.wdmm.memory.nativeio.LongTermPins;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.commons.support.AnnotationSupport;

/** The machine's facts a test may need, each unmet one with its reason and its fix. */
public final class Needs {
    /** The fix for missing huge pages: what {@code ./wd-mm test} does as root. */
    public static final String RESERVE_HUGEPAGES = "reserve them as root: echo 256 > /proc/sys/vm/nr_hugepages"
            + " (sysctl vm.nr_hugepages=256; ./wd-mm test does it when run as root)";

    private static volatile Optional<String> pinningCause;

    private Needs() {}

    /**
     * An unmet need.
     *
     * @param reason what is missing, with the facts read
     * @param fix how to provide it
     */
    public record Unmet(String reason, String fix) {}

    /**
     * Frame numbers in {@code /proc/self/pagemap}.
     *
     * @return the unmet need, or empty
     */
    public static Optional<Unmet> pfns() {
        return Kernel.pfnsVisible()
                ? Optional.empty()
                : Optional.of(new Unmet(
                        "/proc/self/pagemap shows every PFN as 0 (this process lacks CAP_SYS_ADMIN: not root)",
                        "run ./wd-mm test as root (CI does), or grant the JDK's java CAP_SYS_ADMIN"));
    }

    /**
     * Long-term pins through io_uring.
     *
     * @return the unmet need, or empty
     */
    public static Optional<Unmet> pinning() {
        Optional<String> cause = pinningCause;
        if (cause == null) {
            cause = LongTermPins.unavailabilityCause();
            pinningCause = cause;
        }
        return cause.map(c -> new Unmet(
                "io_uring long-term pinning is unavailable: " + c,
                "allow io_uring (sysctl kernel.io_uring_disabled=0) and a memlock budget (ulimit -l), or run as root"));
    }

    /**
     * Free 2 MiB huge pages.
     *
     * @param needed how many
     * @return the unmet need, or empty
     */
    public static Optional<Unmet> freeHugepages(long needed) {
        long free = Kernel.freeHugepages();
        return free >= needed
                ? Optional.empty()
                : Optional.of(new Unmet(
                        "needs " + needed + " free 2 MiB huge pages, free_hugepages=" + free, RESERVE_HUGEPAGES));
    }

    /**
     * Executable programs.
     *
     * @param paths absolute paths
     * @return the unmet need, or empty
     */
    public static Optional<Unmet> executables(String... paths) {
        List<String> missing = new ArrayList<>();
        for (String path : paths) {
            if (!Files.isExecutable(Path.of(path))) {
                missing.add(path);
            }
        }
        return missing.isEmpty()
                ? Optional.empty()
                : Optional.of(new Unmet("needs " + String.join(" and ", missing), "install them (util-linux)"));
    }

    /**
     * The unmet needs declared by {@link NeedsKernel} on {@code elements} (classes, inherited, and
     * methods), added up: a need declared anywhere counts, the most huge pages asked for count.
     *
     * @param elements where to look
     * @return the unmet needs, in order, empty when all are met
     */
    static List<Unmet> unmet(AnnotatedElement... elements) {
        boolean pfns = false;
        boolean pinning = false;
        long hugepages = 0;
        Set<String> executables = new LinkedHashSet<>();
        for (AnnotatedElement element : elements) {
            Optional<NeedsKernel> needs = AnnotationSupport.findAnnotation(element, NeedsKernel.class);
            if (needs.isPresent()) {
                pfns |= needs.get().pfns();
                pinning |= needs.get().pinning();
                hugepages = Math.max(hugepages, needs.get().freeHugepages());
                executables.addAll(List.of(needs.get().executables()));
            }
        }
        List<Unmet> unmet = new ArrayList<>();
        if (!executables.isEmpty()) {
            executables(executables.toArray(String[]::new)).ifPresent(unmet::add);
        }
        if (pfns) {
            pfns().ifPresent(unmet::add);
        }
        if (pinning) {
            pinning().ifPresent(unmet::add);
        }
        if (hugepages > 0) {
            freeHugepages(hugepages).ifPresent(unmet::add);
        }
        return unmet;
    }
}
