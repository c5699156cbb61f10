package dev.wdmm.core.internal;

import dev.wdmm.core.Configuration;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.Selection;
import dev.wdmm.core.WdMmProperties;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks configured {@code wd.mm.*} keys against the options the providers declare, so that a
 * misspelt key fails before a backend is opened, whether or not the backend checks its own.
 * Stateless.
 */
final class OptionCheck {
    /** The general keys, outside every backend's namespace. */
    private static final Set<String> GENERAL =
            Set.of(WdMmProperties.BACKEND, WdMmProperties.BACKEND_FORCE, WdMmProperties.CONFIG);

    private OptionCheck() {}

    /**
     * The options a provider declares; a provider whose {@code options()} throws declares none
     * (and its keys are then all unknown, which says what happened).
     */
    static List<WdOption<?>> declared(WdBackendProvider provider) {
        try {
            List<WdOption<?>> options = provider.options();
            return options == null
                    ? List.of()
                    : options.stream().filter(o -> o != null).toList();
        } catch (RuntimeException | LinkageError e) {
            return List.of();
        }
    }

    /** Every option name any provider found (duplicates included) declares, and the general keys. */
    static Set<String> declaredNames(Discovery discovery) {
        Set<String> names = new TreeSet<>(GENERAL);
        providers(discovery).forEach(p -> declared(p).forEach(o -> names.add(o.name())));
        return names;
    }

    /**
     * The problems of one backend's namespace: keys under {@code wd.mm.<name>.} it does not declare,
     * and values of declared options that do not parse.
     */
    static List<Selection.OptionProblem> problems(
            String name, Collection<WdOption<?>> declared, Configuration configuration) {
        List<Selection.OptionProblem> problems = new ArrayList<>();
        String prefix = WdMmProperties.PREFIX + name + ".";
        List<String> known = declared.stream().map(WdOption::name).sorted().toList();
        for (String key : configuration.options().names()) {
            if (key.startsWith(prefix) && !known.contains(key)) {
                problems.add(new Selection.OptionProblem(
                        key,
                        name,
                        setting(key, configuration) + " is not an option of backend " + name + suggestion(key, known)
                                + "; known: "
                                + (known.isEmpty() ? "none (" + name + " declares no options)" : known)));
            }
        }
        for (WdOption<?> option : declared) {
            if (configuration.options().contains(option.name())) {
                try {
                    configuration.options().get(option);
                } catch (RuntimeException e) {
                    problems.add(new Selection.OptionProblem(
                            option.name(),
                            name,
                            e.getMessage() + " (" + configuration.origin(option.name()) + "; backend " + name + ")"));
                }
            }
        }
        return problems;
    }

    /**
     * Keys outside the namespace of every backend found: {@code wd.mm.<x>.*} where no backend is
     * named {@code x}, and {@code wd.mm.<x>} that is not a general key.
     */
    static List<Selection.OptionProblem> stray(Discovery discovery, Configuration configuration) {
        Set<String> backendNames = new TreeSet<>(discovery.names());
        discovery.duplicates().forEach(d -> backendNames.add(d.name()));
        Set<String> known = declaredNames(discovery);
        List<Selection.OptionProblem> problems = new ArrayList<>();
        for (String key : configuration.options().names()) {
            String rest = key.startsWith(WdMmProperties.PREFIX) ? key.substring(WdMmProperties.PREFIX.length()) : key;
            int dot = rest.indexOf('.');
            String namespace = dot < 0 ? "" : rest.substring(0, dot);
            if (GENERAL.contains(key) || backendNames.contains(namespace) || known.contains(key)) {
                continue;
            }
            String what = dot < 0
                    ? " is not a wd-mm setting (general keys: " + new TreeSet<>(GENERAL) + ")"
                    : " names no backend found (" + namespace + "); backends found: " + backendNames;
            problems.add(
                    new Selection.OptionProblem(key, "", setting(key, configuration) + what + suggestion(key, known)));
        }
        return problems;
    }

    private static List<WdBackendProvider> providers(Discovery discovery) {
        List<WdBackendProvider> providers = new ArrayList<>();
        discovery.backends().forEach(f -> providers.add(f.provider()));
        discovery.duplicates().forEach(d -> d.providers().forEach(f -> providers.add(f.provider())));
        return providers;
    }

    private static String setting(String key, Configuration configuration) {
        return key + "=" + configuration.options().text(key).orElse("?") + " (" + configuration.origin(key) + ")";
    }

    /** {@code " (did you mean X?)"} for the nearest known name within a small edit distance, else "". */
    static String suggestion(String key, Collection<String> known) {
        Optional<String> best = Optional.empty();
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(key, candidate);
            if (distance < bestDistance) {
                best = Optional.of(candidate);
                bestDistance = distance;
            }
        }
        int limit = Math.max(2, key.length() / 8);
        return best.isPresent() && bestDistance <= limit ? " (did you mean " + best.get() + "?)" : "";
    }

    /** Edit distance with adjacent transpositions counting one (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
