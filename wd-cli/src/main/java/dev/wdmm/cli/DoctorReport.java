package dev.wdmm.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wdmm.api.IommuMode;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.memory.nativeio.LongTermPins;
import dev.wdmm.spi.WdOption;
import java.util.List;

/**
 * What {@code wd-mm doctor} prints, as data: the selection (mode, evidence, every backend with its
 * description and declared options, the outcome) and how pages are held in place. Serialized by
 * Jackson for {@code --json} (keys are the component names, in this order), rendered by
 * {@link #text()} otherwise. Immutable.
 *
 * @param mode the detected IOMMU mode's name
 * @param evidence what each file said during detection
 * @param hugepages the hugepage pools seen
 * @param configuredBy where the configured backend name came from, or {@code "not configured"}
 * @param selected the selected backend's name, or null when none is usable
 * @param reason why it was selected, or why nothing was
 * @param forced whether the selected backend was forced although it does not serve the mode
 * @param backends every backend found with a name of its own, sorted by name
 * @param broken providers that were listed but could not be loaded
 * @param duplicates backend names that more than one provider has
 * @param optionProblems configured keys no backend declares, and values that do not parse
 * @param warnings what deserves attention though it did not stop the selection
 * @param pinning how physical-address backends hold pages in place in this process
 * @param numa the memory nodes with their huge page counts, and the node of each PCI device
 * @param accounting with {@code --open}: the selected bridge's accounting while a probe was live;
 *     null (and absent from the JSON) otherwise
 */
record DoctorReport(
        String mode,
        List<String> evidence,
        List<Hugepages> hugepages,
        String configuredBy,
        String selected,
        String reason,
        boolean forced,
        List<Backend> backends,
        List<Broken> broken,
        List<Duplicate> duplicates,
        List<OptionProblem> optionProblems,
        List<String> warnings,
        Pinning pinning,
        Numa numa,
        @JsonInclude(JsonInclude.Include.NON_NULL) DoctorAccounting accounting) {

    /** One hugepage pool: page size in bytes, pages reserved, pages free. */
    record Hugepages(long pageSize, long total, long free) {}

    /** One backend found, its declared options, and what the selection made of it. */
    record Backend(
            String name,
            String description,
            boolean available,
            String reason,
            String fix,
            List<String> details,
            List<String> modes,
            int priority,
            String location,
            String verdict,
            List<Option> options) {}

    /**
     * One option a backend declares ({@code WdBackendProvider.options()}).
     *
     * @param name the property name
     * @param defaultValue the default, as the option's type (number, boolean, text); {@code "default"} in JSON
     * @param description what it does
     */
    record Option(String name, @JsonProperty("default") Object defaultValue, String description) {}

    /** A provider that was listed but could not be loaded. */
    record Broken(String type, String location, String error) {}

    /** A name that several providers have ({@code class from location} each), and what became of it. */
    record Duplicate(String name, List<String> providers, String verdict) {}

    /** A configured key no backend declares (or a bad value); {@code backend} is "" outside every namespace. */
    record OptionProblem(String key, String backend, String problem) {}

    /** Whether long-term pinning works here, why not, and the kernel settings around it. */
    record Pinning(String method, boolean available, String reason, List<String> facts) {}

    /**
     * NUMA placement facts: what a {@code wd.mm.<backend>.numa-node} option can choose from.
     *
     * @param nodes each online node with its per-node huge page pools (empty: no NUMA in the kernel)
     * @param pciDevices each PCI device's node (-1: none reported)
     * @param error why the nodes could not be read, or null
     */
    record Numa(List<Node> nodes, java.util.Map<String, Integer> pciDevices, String error) {}

    /** One node and its huge page pools. */
    record Node(int id, List<Hugepages> hugepages) {}

    /**
     * Shapes the report.
     *
     * @param selection the decision
     * @param discovery the providers it was made from (for their declared options)
     * @param pinning the pinning report of this process
     * @return the report
     */
    static DoctorReport of(Selection selection, Discovery discovery, LongTermPins.Report pinning) {
        return of(selection, discovery, pinning, java.nio.file.Path.of("/"));
    }

    /**
     * Shapes the report, reading the NUMA facts under {@code root}.
     *
     * @param selection the decision
     * @param discovery the providers it was made from
     * @param pinning the pinning report of this process
     * @param root {@code /} or the fixture tree doctor was pointed at
     * @return the report
     */
    static DoctorReport of(
            Selection selection, Discovery discovery, LongTermPins.Report pinning, java.nio.file.Path root) {
        List<Backend> backends = selection.candidates().stream()
                .map(c -> new Backend(
                        c.name(),
                        c.description(),
                        c.available(),
                        c.reason(),
                        c.fix(),
                        c.details(),
                        c.modes().stream().map(IommuMode::name).toList(),
                        c.priority(),
                        c.location(),
                        c.verdict(),
                        options(discovery, c.name())))
                .toList();
        return new DoctorReport(
                selection.mode().name(),
                selection.evidence(),
                selection.hugepages().stream()
                        .map(p -> new Hugepages(p.pageSize(), p.total(), p.free()))
                        .toList(),
                selection.configuredBy(),
                selection.selected().orElse(null),
                selection.reason(),
                selection.forced(),
                backends,
                selection.broken().stream()
                        .map(b -> new Broken(b.type(), b.location(), b.error()))
                        .toList(),
                selection.duplicates().stream()
                        .map(d -> new Duplicate(d.name(), d.providers(), d.verdict()))
                        .toList(),
                selection.optionProblems().stream()
                        .map(p -> new OptionProblem(p.key(), p.backend(), p.problem()))
                        .toList(),
                selection.warnings(),
                new Pinning(pinning.method(), pinning.available(), pinning.reason(), pinning.facts()),
                numa(root),
                null);
    }

    /**
     * This report with the accounting of {@code doctor --open}.
     *
     * @param opened what the brief open showed
     * @return a copy with it
     */
    DoctorReport withAccounting(DoctorAccounting opened) {
        return new DoctorReport(
                mode,
                evidence,
                hugepages,
                configuredBy,
                selected,
                reason,
                forced,
                backends,
                broken,
                duplicates,
                optionProblems,
                warnings,
                pinning,
                numa,
                opened);
    }

    private static Numa numa(java.nio.file.Path root) {
        try {
            List<Node> nodes = dev.wdmm.memory.nativeio.Numa.nodes(root).stream()
                    .map(n -> new Node(
                            n.id(),
                            n.hugepages().stream()
                                    .map(p -> new Hugepages(p.pageSize(), p.total(), p.free()))
                                    .toList()))
                    .toList();
            return new Numa(nodes, dev.wdmm.memory.nativeio.Numa.pciNodes(root), null);
        } catch (RuntimeException e) {
            return new Numa(List.of(), java.util.Map.of(), e.getMessage());
        }
    }

    private static List<Option> options(Discovery discovery, String name) {
        List<WdOption<?>> declared;
        try {
            declared = discovery
                    .find(name)
                    .map(found -> found.provider().options())
                    .orElse(List.of());
        } catch (RuntimeException e) {
            // a third party's provider must not break the report: say what its options() did
            return List.of(new Option("(options() threw " + e + ")", "", ""));
        }
        return declared.stream()
                .map(o -> new Option(o.name(), o.defaultValue(), o.description()))
                .toList();
    }

    /**
     * The report as readable text, one fact per line: mode and evidence, each backend with its
     * description, location, availability, details, options and verdict, broken providers,
     * duplicate names, option problems, the outcome, the warnings, then pinning.
     *
     * @return multi-line text
     */
    String text() {
        StringBuilder text = new StringBuilder();
        text.append("mode: ").append(mode).append('\n');
        evidence.forEach(line -> text.append("  evidence: ").append(line).append('\n'));
        text.append("configuration: ").append(configuredBy).append('\n');
        text.append("backends found: ").append(backends.size()).append('\n');
        for (Backend b : backends) {
            text.append("  ")
                    .append(b.name())
                    .append(" (priority ")
                    .append(b.priority())
                    .append(", modes ")
                    .append(b.modes())
                    .append(", from ")
                    .append(b.location())
                    .append(")\n");
            text.append("    description: ").append(b.description()).append('\n');
            text.append("    ")
                    .append(b.available() ? "available" : "unavailable: " + b.reason())
                    .append('\n');
            if (!b.available()) {
                text.append("    fix: ").append(b.fix()).append('\n');
            }
            b.details().forEach(d -> text.append("    detail: ").append(d).append('\n'));
            b.options()
                    .forEach(o -> text.append("    option: ")
                            .append(o.name())
                            .append(" (default ")
                            .append("".equals(o.defaultValue()) ? "\"\"" : o.defaultValue())
                            .append("): ")
                            .append(o.description())
                            .append('\n'));
            text.append("    ").append(b.verdict()).append('\n');
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
                .append(selected == null ? "none" : selected)
                .append(forced ? ", forced" : "")
                .append(" (")
                .append(reason)
                .append(")\n");
        warnings.forEach(w -> text.append("warning: ").append(w).append('\n'));
        text.append("pinning (how noiommu, hugepage, passthrough and queue reserved memory hold DMA pages in place): ")
                .append(pinning.method())
                .append('\n');
        text.append("  ")
                .append(pinning.available() ? "available" : "unavailable: " + pinning.reason())
                .append('\n');
        pinning.facts().forEach(fact -> text.append("  fact: ").append(fact).append('\n'));
        text.append("numa (for wd.mm.<backend>.numa-node): ")
                .append(
                        numa.error() != null
                                ? "unreadable: " + numa.error()
                                : numa.nodes().size() + " node(s)")
                .append('\n');
        for (Node node : numa.nodes()) {
            text.append("  node").append(node.id()).append(':');
            node.hugepages()
                    .forEach(p -> text.append(" hugepages-")
                            .append(p.pageSize() >> 10)
                            .append("kB nr_hugepages=")
                            .append(p.total())
                            .append(" free_hugepages=")
                            .append(p.free())
                            .append(';'));
            text.append('\n');
        }
        long withoutNode =
                numa.pciDevices().values().stream().filter(n -> n < 0).count();
        numa.pciDevices().forEach((bdf, n) -> {
            if (n >= 0) {
                text.append("  pci ").append(bdf).append(": node").append(n).append('\n');
            }
        });
        if (withoutNode > 0) {
            text.append("  pci: ").append(withoutNode).append(" device(s) report no node\n");
        }
        if (accounting != null) {
            text.append(accounting.text());
        }
        return text.toString();
    }
}
