package dev.wdmm.core.internal;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdMmProperties;
import dev.wdmm.spi.WdAvailability;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** Shapes a {@link Selector} decision into a {@link Selection}: candidates, duplicates, problems, warnings. */
final class SelectionReport {
    private SelectionReport() {}

    static Selection build(
            Selector.Context context,
            Selector.Checked chosen,
            String reason,
            Function<Selector.Checked, String> verdict,
            Function<String, String> duplicateVerdict,
            boolean forced) {
        List<Selection.Candidate> candidates = new ArrayList<>();
        for (Selector.Checked c : context.checked()) {
            candidates.add(candidate(c, c == chosen ? "selected: " + reason : verdict.apply(c)));
        }
        List<Selection.Duplicate> duplicates = new ArrayList<>();
        for (Discovery.Duplicate d : context.discovery().duplicates()) {
            List<String> providers = d.providers().stream()
                    .map(f -> f.provider().getClass().getName() + " from " + f.location())
                    .toList();
            duplicates.add(new Selection.Duplicate(d.name(), providers, duplicateVerdict.apply(d.name())));
        }
        List<Selection.OptionProblem> problems = new ArrayList<>();
        context.checked().forEach(c -> problems.addAll(c.problems()));
        context.duplicates().values().stream()
                .flatMap(List::stream)
                .flatMap(c -> c.problems().stream())
                .filter(p -> !problems.contains(p))
                .forEach(problems::add);
        problems.addAll(OptionCheck.stray(context.discovery(), context.configuration()));
        Optional<String> selected = Optional.ofNullable(chosen).map(Selector.Checked::name);
        return new Selection(
                context.detection().mode(),
                context.detection().evidence(),
                context.detection().hugepages(),
                context.configuration().source(),
                candidates,
                context.discovery().broken(),
                selected,
                reason,
                forced,
                duplicates,
                problems,
                warnings(context, chosen, forced, duplicates, problems));
    }

    private static List<String> warnings(
            Selector.Context context,
            Selector.Checked chosen,
            boolean forced,
            List<Selection.Duplicate> duplicates,
            List<Selection.OptionProblem> problems) {
        Configuration configuration = context.configuration();
        IommuMode mode = context.detection().mode();
        List<String> warnings = new ArrayList<>();
        if (forced) {
            warnings.add("backend " + chosen.name() + " is used although it does not serve the detected mode "
                    + mode + " (it serves "
                    + chosen.found().provider().modes().stream().sorted().toList()
                    + "), because " + WdMmProperties.BACKEND_FORCE + "=true ("
                    + configuration.origin(WdMmProperties.BACKEND_FORCE)
                    + "): a device may be given wrong addresses");
        } else if (configuration.force() && configuration.backend().isEmpty()) {
            warnings.add(WdMmProperties.BACKEND_FORCE + "=true (" + configuration.origin(WdMmProperties.BACKEND_FORCE)
                    + ") has no effect without " + WdMmProperties.BACKEND);
        }
        for (Selection.Duplicate d : duplicates) {
            warnings.add("backend name " + d.name() + " is provided twice: " + String.join(" and ", d.providers())
                    + "; remove one of the jars (a selection involving " + d.name() + " fails)");
        }
        String selected = chosen == null ? null : chosen.name();
        for (Selection.OptionProblem p : problems) {
            // the selected backend has none (they would have failed the selection); a failed
            // selection already names the chosen backend's problems in its reason
            if (!p.backend().equals(selected)) {
                warnings.add(p.problem());
            }
        }
        for (Discovery.Broken b : context.discovery().broken()) {
            warnings.add("skipped broken backend provider " + b.type() + " from " + b.location() + ": " + b.error());
        }
        return warnings;
    }

    private static Selection.Candidate candidate(Selector.Checked c, String verdict) {
        WdAvailability a = c.availability();
        WdAvailability.Unavailable u = a instanceof WdAvailability.Unavailable un ? un : null;
        List<IommuMode> modes = c.found().provider().modes().stream().sorted().toList();
        return new Selection.Candidate(
                c.name(),
                safeDescription(c.found()),
                c.found().location(),
                modes,
                c.priority(),
                u == null,
                u == null ? "" : u.reason(),
                u == null ? "" : u.fix(),
                a.details(),
                verdict);
    }

    private static String safeDescription(Discovery.Found found) {
        try {
            return String.valueOf(found.provider().description());
        } catch (RuntimeException e) {
            return "(description() threw " + e + ")";
        }
    }
}
