package dev.wdmm.core.internal;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdMmProperties;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides which backend to use and explains why. Stateless.
 *
 * <p>Rules, in order: a configured name must be unique among the providers, known, free of option
 * problems, available, and serve the detected mode (unless {@value WdMmProperties#BACKEND_FORCE}
 * is {@code true}); without one, the highest-priority available backend serving the mode wins,
 * unless a name provided twice would win (then nothing is selected) or the winner's options have
 * problems.
 */
final class Selector {
    private static final System.Logger LOG = System.getLogger("dev.wdmm.core.Selection");

    private Selector() {}

    /** One provider with its availability (for the configured options) and its option problems. */
    record Checked(Discovery.Found found, WdAvailability availability, List<Selection.OptionProblem> problems) {
        boolean serves(IommuMode mode) {
            return availability.isAvailable() && found.provider().modes().contains(mode);
        }

        int priority() {
            return found.provider().priority();
        }

        String name() {
            return found.name();
        }

        /** Whether this one would be preferred to {@code other} by detection. */
        boolean beats(Checked other) {
            return other == null || BY_PREFERENCE.compare(this, other) < 0;
        }
    }

    private static final Comparator<Checked> BY_PREFERENCE =
            Comparator.comparingInt(Checked::priority).reversed().thenComparing(Checked::name);

    /** What a rule decided: the chosen backend or none, the reason, and the verdict on each other one. */
    private record Outcome(
            Checked chosen,
            String reason,
            Function<Checked, String> verdict,
            Function<String, String> duplicateVerdict,
            boolean forced) {}

    record Context(
            Discovery discovery,
            Detection detection,
            Configuration configuration,
            List<Checked> checked,
            Map<String, List<Checked>> duplicates) {}

    static Selection select(Discovery discovery, Detection detection, Configuration configuration) {
        WdEnvironment environment = new WdEnvironment(detection.root(), detection.mode());
        List<Checked> checked = new ArrayList<>();
        discovery.backends().forEach(found -> checked.add(check(found, environment, configuration)));
        Map<String, List<Checked>> duplicates = new LinkedHashMap<>();
        for (Discovery.Duplicate duplicate : discovery.duplicates()) {
            // a key is known under a duplicated name if any provider of that name declares it
            List<WdOption<?>> union = new ArrayList<>();
            duplicate.providers().forEach(found -> union.addAll(OptionCheck.declared(found.provider())));
            List<Selection.OptionProblem> problems = OptionCheck.problems(duplicate.name(), union, configuration);
            duplicates.put(
                    duplicate.name(),
                    duplicate.providers().stream()
                            .map(found -> new Checked(found, availability(found, environment, configuration), problems))
                            .toList());
        }
        Context context = new Context(discovery, detection, configuration, checked, duplicates);
        Outcome outcome = configuration.backend().isPresent() ? configured(context) : detected(context);
        Selection selection = SelectionReport.build(
                context,
                outcome.chosen(),
                outcome.reason(),
                outcome.verdict(),
                outcome.duplicateVerdict(),
                outcome.forced());
        selection.warnings().forEach(w -> LOG.log(System.Logger.Level.WARNING, "wd-mm: {0}", w));
        LOG.log(System.Logger.Level.DEBUG, () -> "wd-mm backend selection:\n" + selection.toText());
        StatsEvents.selected(selection);
        return selection;
    }

    private static Checked check(Discovery.Found found, WdEnvironment environment, Configuration configuration) {
        List<Selection.OptionProblem> problems =
                OptionCheck.problems(found.name(), OptionCheck.declared(found.provider()), configuration);
        return new Checked(found, availability(found, environment, configuration), problems);
    }

    private static WdAvailability availability(
            Discovery.Found found, WdEnvironment environment, Configuration configuration) {
        try {
            WdAvailability availability = found.provider().availability(environment, configuration.options());
            return availability != null
                    ? availability
                    : WdAvailability.unavailable("availability() returned null", "report this to the backend's author");
        } catch (RuntimeException | LinkageError e) {
            return WdAvailability.unavailable("availability check threw " + e, "report this to the backend's author");
        }
    }

    private static Outcome configured(Context context) {
        Configuration configuration = context.configuration();
        String name = configuration.backend().orElseThrow();
        String named = WdMmProperties.BACKEND + "=" + name + " (" + configuration.source() + ")";
        String others = "not selected: configuration names " + name;
        Function<String, String> duplicateVerdict = dup -> dup.equals(name)
                ? "selection failed: the configured name is provided twice; remove one of the jars"
                : others + "; the name is provided twice, remove one of the jars";
        Optional<Discovery.Duplicate> duplicate = context.discovery().duplicate(name);
        if (duplicate.isPresent()) {
            String reason = named + " names a backend provided twice: "
                    + duplicate.get().describe() + "; remove one of the jars";
            return new Outcome(null, reason, c -> others, duplicateVerdict, false);
        }
        Optional<Checked> match =
                context.checked().stream().filter(c -> c.name().equals(name)).findFirst();
        if (match.isEmpty()) {
            List<String> names = context.discovery().names();
            String reason = named + " is unknown" + OptionCheck.suggestion(name, names) + "; known backends: "
                    + (names.isEmpty() ? "(none found)" : String.join(", ", names));
            return new Outcome(null, reason, c -> others, duplicateVerdict, false);
        }
        return configured(context, match.get(), named, others, duplicateVerdict);
    }

    /** The configured backend was found under a name of its own: options, availability, mode. */
    private static Outcome configured(
            Context context, Checked c, String named, String others, Function<String, String> duplicateVerdict) {
        Configuration configuration = context.configuration();
        IommuMode mode = context.detection().mode();
        if (!c.problems().isEmpty()) {
            String problems = String.join(
                    "; ",
                    c.problems().stream().map(Selection.OptionProblem::problem).toList());
            String reason = named + " cannot be opened with these options: " + problems;
            return new Outcome(
                    null,
                    reason,
                    x -> x == c ? "not selected: option problems: " + problems : others,
                    duplicateVerdict,
                    false);
        }
        if (c.availability() instanceof WdAvailability.Unavailable u) {
            String reason = named + " is unavailable: " + u.reason() + "; fix: " + u.fix();
            return new Outcome(
                    null,
                    reason,
                    x -> x == c ? "not selected: unavailable: " + u.reason() : others,
                    duplicateVerdict,
                    false);
        }
        List<IommuMode> modes = c.found().provider().modes().stream().sorted().toList();
        boolean serves = modes.contains(mode);
        if (!serves && !configuration.force()) {
            String reason = named + " does not serve the detected mode " + mode + " (it serves " + modes
                    + "), so the device would be given wrong addresses; configure a backend serving " + mode
                    + ", or set " + WdMmProperties.BACKEND_FORCE + "=true if the detection is wrong";
            return new Outcome(
                    null,
                    reason,
                    x -> x == c
                            ? "not selected: does not serve " + mode + " (" + WdMmProperties.BACKEND_FORCE
                                    + "=true would use it anyway)"
                            : others,
                    duplicateVerdict,
                    false);
        }
        String reason = "configured by " + named + "; configuration beats detection"
                + (serves
                        ? ""
                        : "; forced by " + WdMmProperties.BACKEND_FORCE + "=true ("
                                + configuration.origin(WdMmProperties.BACKEND_FORCE)
                                + ") although it does not serve the detected mode " + mode + " (it serves " + modes
                                + "): the device may be given wrong addresses");
        return new Outcome(c, reason, x -> others, duplicateVerdict, !serves);
    }

    private static Outcome detected(Context context) {
        IommuMode mode = context.detection().mode();
        List<Checked> checked = context.checked();
        Optional<Checked> best = checked.stream().filter(c -> c.serves(mode)).min(BY_PREFERENCE);
        Optional<Checked> contender = context.duplicates().values().stream()
                .flatMap(List::stream)
                .filter(c -> c.serves(mode) && c.beats(best.orElse(null)))
                .min(BY_PREFERENCE);
        if (contender.isPresent()) {
            String dup = contender.get().name();
            String reason = "backend name=" + dup + " is provided twice ("
                    + context.discovery().duplicate(dup).orElseThrow().describe()
                    + ") and one of them would be selected by detection for " + mode
                    + "; remove one of the jars, or configure " + WdMmProperties.BACKEND;
            return new Outcome(
                    null,
                    reason,
                    c -> verdict(c, mode, contender.get()),
                    d -> d.equals(dup)
                            ? "selection failed: the name is provided twice and would win detection"
                            : "not selected: provided twice; remove one of the jars",
                    false);
        }
        Function<String, String> duplicateVerdict = d ->
                "not selected: provided twice (remove one of the jars); none of them would win detection for " + mode;
        if (best.isPresent() && !best.get().problems().isEmpty()) {
            Checked c = best.get();
            String problems = String.join(
                    "; ",
                    c.problems().stream().map(Selection.OptionProblem::problem).toList());
            String reason = "detection chose " + c.name() + " (highest priority available serving " + mode
                    + "), which cannot be opened with these options: " + problems;
            return new Outcome(
                    null,
                    reason,
                    x -> x == c ? "not selected: option problems: " + problems : verdict(x, mode, c),
                    duplicateVerdict,
                    false);
        }
        String reason = best.isPresent()
                ? "highest priority available serving " + mode + " (no " + WdMmProperties.BACKEND + " configured)"
                : "no available backend serves " + mode + (checked.isEmpty() ? "; no backend was found at all" : "");
        return new Outcome(
                best.orElse(null), reason, c -> verdict(c, mode, best.orElse(null)), duplicateVerdict, false);
    }

    private static String verdict(Checked c, IommuMode mode, Checked chosen) {
        if (c.availability() instanceof WdAvailability.Unavailable u) {
            return "not selected: unavailable: " + u.reason();
        }
        if (!c.found().provider().modes().contains(mode)) {
            return "not selected: does not serve " + mode;
        }
        return c.priority() < chosen.priority()
                ? "not selected: lower priority " + c.priority() + " than " + chosen.name() + " (" + chosen.priority()
                        + ")"
                : "not selected: same priority as " + chosen.name() + ", which sorts first by name";
    }
}
