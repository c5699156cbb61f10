package dev.wdmm.core.internal;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.Configuration;
import dev.wdmm.core.Detection;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdMmProperties;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdEnvironment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Decides which backend to use and explains why. Stateless. */
final class Selector {
    private static final System.Logger LOG = System.getLogger("dev.wdmm.core.Selection");

    private Selector() {}

    private record Checked(Discovery.Found found, WdAvailability availability) {
        boolean serves(IommuMode mode) {
            return availability.isAvailable() && found.provider().modes().contains(mode);
        }

        int priority() {
            return found.provider().priority();
        }
    }

    static Selection select(Discovery discovery, Detection detection, Configuration configuration) {
        WdEnvironment environment = new WdEnvironment(detection.root(), detection.mode());
        List<Checked> checked = new ArrayList<>();
        for (Discovery.Found found : discovery.backends()) {
            checked.add(new Checked(found, availability(found, environment)));
        }
        Selection selection = configuration.backend().isPresent()
                ? configured(configuration, discovery, detection, checked)
                : detected(configuration, discovery, detection, checked);
        for (Discovery.Broken broken : discovery.broken()) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "wd-mm: skipped broken backend provider {0} from {1}: {2}",
                    broken.type(),
                    broken.location(),
                    broken.error());
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "wd-mm backend selection:\n" + selection.toText());
        return selection;
    }

    private static WdAvailability availability(Discovery.Found found, WdEnvironment environment) {
        try {
            WdAvailability availability = found.provider().availability(environment);
            return availability != null
                    ? availability
                    : WdAvailability.unavailable("availability() returned null", "report this to the backend's author");
        } catch (RuntimeException | LinkageError e) {
            return WdAvailability.unavailable("availability check threw " + e, "report this to the backend's author");
        }
    }

    private static Selection configured(
            Configuration configuration, Discovery discovery, Detection detection, List<Checked> checked) {
        String name = configuration.backend().orElseThrow();
        String named = WdMmProperties.BACKEND + "=" + name + " (" + configuration.source() + ")";
        Optional<Checked> match =
                checked.stream().filter(c -> c.found().name().equals(name)).findFirst();
        String others = "not selected: configuration names " + name;
        if (match.isEmpty()) {
            String reason = named + " is unknown; known backends: "
                    + (discovery.names().isEmpty() ? "(none found)" : String.join(", ", discovery.names()));
            return build(configuration, discovery, detection, checked, null, reason, c -> others);
        }
        WdAvailability availability = match.get().availability();
        if (availability instanceof WdAvailability.Unavailable u) {
            String reason = named + " is unavailable: " + u.reason() + "; fix: " + u.fix();
            return build(
                    configuration,
                    discovery,
                    detection,
                    checked,
                    null,
                    reason,
                    c -> c == match.get() ? "not selected: unavailable: " + u.reason() : others);
        }
        boolean serves = match.get().found().provider().modes().contains(detection.mode());
        String reason = "configured by " + named + "; configuration beats detection"
                + (serves ? "" : " (warning: " + name + " does not serve the detected mode " + detection.mode() + ")");
        return build(configuration, discovery, detection, checked, match.get(), reason, c -> others);
    }

    private static Selection detected(
            Configuration configuration, Discovery discovery, Detection detection, List<Checked> checked) {
        IommuMode mode = detection.mode();
        Optional<Checked> best = checked.stream()
                .filter(c -> c.serves(mode))
                .min(Comparator.comparingInt(Checked::priority)
                        .reversed()
                        .thenComparing(c -> c.found().name()));
        String reason = best.isPresent()
                ? "highest priority available serving " + mode + " (no " + WdMmProperties.BACKEND + " configured)"
                : "no available backend serves " + mode + (checked.isEmpty() ? "; no backend was found at all" : "");
        return build(configuration, discovery, detection, checked, best.orElse(null), reason, c -> {
            if (c.availability() instanceof WdAvailability.Unavailable u) {
                return "not selected: unavailable: " + u.reason();
            }
            if (!c.found().provider().modes().contains(mode)) {
                return "not selected: does not serve " + mode;
            }
            Checked chosen = best.orElseThrow();
            return c.priority() < chosen.priority()
                    ? "not selected: lower priority " + c.priority() + " than "
                            + chosen.found().name() + " (" + chosen.priority() + ")"
                    : "not selected: same priority as " + chosen.found().name() + ", which sorts first by name";
        });
    }

    private static Selection build(
            Configuration configuration,
            Discovery discovery,
            Detection detection,
            List<Checked> checked,
            Checked chosen,
            String reason,
            java.util.function.Function<Checked, String> verdict) {
        List<Selection.Candidate> candidates = new ArrayList<>();
        for (Checked c : checked) {
            WdAvailability a = c.availability();
            WdAvailability.Unavailable u = a instanceof WdAvailability.Unavailable un ? un : null;
            List<IommuMode> modes =
                    c.found().provider().modes().stream().sorted().toList();
            candidates.add(new Selection.Candidate(
                    c.found().name(),
                    safeDescription(c.found()),
                    c.found().location(),
                    modes,
                    c.priority(),
                    u == null,
                    u == null ? "" : u.reason(),
                    u == null ? "" : u.fix(),
                    a.details(),
                    c == chosen ? "selected: " + reason : verdict.apply(c)));
        }
        return new Selection(
                detection.mode(),
                detection.evidence(),
                detection.hugepages(),
                configuration.source(),
                candidates,
                discovery.broken(),
                Optional.ofNullable(chosen).map(c -> c.found().name()),
                reason);
    }

    private static String safeDescription(Discovery.Found found) {
        try {
            return String.valueOf(found.provider().description());
        } catch (RuntimeException e) {
            return "(description() threw " + e + ")";
        }
    }
}
