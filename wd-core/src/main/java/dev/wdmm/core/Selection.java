package dev.wdmm.core;

import dev.wdmm.api.IommuMode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The backend decision, explaining itself in the spirit of SLF4J 2's provider messages: the
 * detected mode and its evidence, every backend found (with location, availability, reason and
 * fix), the one selected (or none) and why, and why each other one was not. What
 * {@code wd-mm doctor} prints. Immutable and thread-safe.
 *
 * @param mode the detected IOMMU mode
 * @param evidence what each file said during detection
 * @param hugepages the hugepage pools seen
 * @param configuredBy where the configured backend name came from, or {@code "not configured"}
 * @param candidates every backend found, sorted by name
 * @param broken providers that were listed but could not be loaded
 * @param selected the selected backend's name, or empty when none is suitable
 * @param reason why {@code selected} was chosen, or why nothing was
 * @param forced whether the selected backend was configured with
 *     {@value WdMmProperties#BACKEND_FORCE}{@code =true} although it does not serve the detected mode
 * @param duplicates names that more than one provider has, with what the selection made of them
 * @param optionProblems every configured {@code wd.mm.*} key that no backend declares (or whose
 *     value does not parse); those of the selected backend made the selection fail, the others are
 *     warnings
 * @param warnings what deserves attention even though it did not stop the selection (a forced
 *     choice, duplicate names, option problems of other backends, broken providers); each was
 *     logged at {@code WARNING}
 */
public record Selection(
        IommuMode mode,
        List<String> evidence,
        List<Detection.HugepagePool> hugepages,
        String configuredBy,
        List<Candidate> candidates,
        List<Discovery.Broken> broken,
        Optional<String> selected,
        String reason,
        boolean forced,
        List<Duplicate> duplicates,
        List<OptionProblem> optionProblems,
        List<String> warnings) {

    /** Checks for nulls and copies the lists. */
    public Selection {
        Objects.requireNonNull(mode, "mode is null");
        evidence = List.copyOf(evidence);
        hugepages = List.copyOf(hugepages);
        Objects.requireNonNull(configuredBy, "configuredBy is null");
        candidates = List.copyOf(candidates);
        broken = List.copyOf(broken);
        Objects.requireNonNull(selected, "selected is null");
        Objects.requireNonNull(reason, "reason is null");
        duplicates = List.copyOf(duplicates);
        optionProblems = List.copyOf(optionProblems);
        warnings = List.copyOf(warnings);
    }

    /**
     * A backend name that more than one provider has.
     *
     * @param name the shared name
     * @param providers each provider as {@code class from location}
     * @param verdict what the selection made of the name ({@code "not selected: ..."}, or why the
     *     selection failed because of it)
     */
    public record Duplicate(String name, List<String> providers, String verdict) {
        /** Copies the list. */
        public Duplicate {
            providers = List.copyOf(providers);
        }
    }

    /**
     * A configured key that no backend declares, or a value its option refuses.
     *
     * @param key the property name
     * @param backend the backend whose namespace {@code wd.mm.<backend>.} holds the key, or
     *     {@code ""} for a key outside every backend's namespace
     * @param problem the whole message: key, value, where it came from, the rule or the known
     *     keys, and a suggestion for a near miss
     */
    public record OptionProblem(String key, String backend, String problem) {}

    /**
     * One backend found, and what the selection made of it.
     *
     * @param name the backend name
     * @param description what it does
     * @param location where its class came from
     * @param modes the modes it serves, sorted
     * @param priority its priority
     * @param available whether its availability check passed
     * @param reason why it is unavailable, or {@code ""} when available
     * @param fix what to do about it, or {@code ""} when available
     * @param details facts its availability check reported
     * @param verdict why it was or was not selected ({@code "selected: highest priority available
     *     serving NO_IOMMU"}, {@code "not selected: does not serve NO_IOMMU"}, ...)
     */
    public record Candidate(
            String name,
            String description,
            String location,
            List<IommuMode> modes,
            int priority,
            boolean available,
            String reason,
            String fix,
            List<String> details,
            String verdict) {
        /** Copies the lists. */
        public Candidate {
            modes = List.copyOf(modes);
            details = List.copyOf(details);
        }
    }

    /**
     * The selected backend's name.
     *
     * @return the name
     * @throws WdSelectionException if nothing was selected; the message is {@link #reason()}
     *     followed by every candidate's verdict
     */
    public String requireSelected() {
        return selected.orElseThrow(() -> new WdSelectionException(this));
    }

    /**
     * The decision as readable text, one fact per line: mode and evidence, each backend found
     * with its location, availability and verdict, broken providers, duplicate names, option
     * problems, the outcome and the warnings.
     *
     * @return multi-line text
     */
    public String toText() {
        StringBuilder text = new StringBuilder();
        text.append("mode: ").append(mode).append('\n');
        evidence.forEach(line -> text.append("  evidence: ").append(line).append('\n'));
        text.append("configuration: ").append(configuredBy).append('\n');
        text.append("backends found: ").append(candidates.size()).append('\n');
        for (Candidate c : candidates) {
            text.append("  ")
                    .append(c.name())
                    .append(" (priority ")
                    .append(c.priority())
                    .append(", modes ")
                    .append(c.modes())
                    .append(", from ")
                    .append(c.location())
                    .append(")\n");
            text.append("    ")
                    .append(c.available() ? "available" : "unavailable: " + c.reason())
                    .append('\n');
            if (!c.available()) {
                text.append("    fix: ").append(c.fix()).append('\n');
            }
            c.details().forEach(d -> text.append("    detail: ").append(d).append('\n'));
            text.append("    ").append(c.verdict()).append('\n');
        }
        broken.forEach(b -> text.append("  broken provider ")
                .append(b.type())
                .append(" from ")
                .append(b.location())
                .append(": ")
                .append(b.error())
                .append('\n'));
        duplicates.forEach(d -> text.append("  duplicate name ")
                .append(d.name())
                .append(": ")
                .append(String.join(" and ", d.providers()))
                .append("\n    ")
                .append(d.verdict())
                .append('\n'));
        optionProblems.forEach(
                p -> text.append("option problem: ").append(p.problem()).append('\n'));
        text.append("selected: ")
                .append(selected.orElse("none"))
                .append(forced ? ", forced" : "")
                .append(" (")
                .append(reason)
                .append(")\n");
        warnings.forEach(w -> text.append("warning: ").append(w).append('\n'));
        return text.toString();
    }
}
