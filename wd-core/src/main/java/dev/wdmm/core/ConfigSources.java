package dev.wdmm.core;

import static java.util.Objects.requireNonNull;

import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Where configuration comes from: system properties, environment variables and a properties
 * file, given as plain maps so tests need not touch the process's globals. Immutable and
 * thread-safe (the maps are copied).
 *
 * <p>{@link #resolve} applies the precedence of {@link WdMmProperties}: API argument, system
 * property {@value WdMmProperties#BACKEND}, environment {@value WdMmProperties#BACKEND_ENV},
 * properties file (path from {@value WdMmProperties#CONFIG} or {@value WdMmProperties#CONFIG_ENV},
 * else {@value WdMmProperties#DEFAULT_CONFIG_FILE} in the working directory if present).
 */
public final class ConfigSources {
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Path workingDirectory;

    private ConfigSources(
            Map<String, String> systemProperties, Map<String, String> environment, Path workingDirectory) {
        this.systemProperties = Map.copyOf(requireNonNull(systemProperties, "systemProperties is null"));
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.workingDirectory = requireNonNull(workingDirectory, "workingDirectory is null");
    }

    /**
     * The process's own sources: a snapshot of {@link System#getProperties()} and
     * {@link System#getenv()}, and the current directory.
     *
     * @return the sources
     */
    public static ConfigSources system() {
        Map<String, String> properties = new TreeMap<>();
        System.getProperties().forEach((key, value) -> {
            if (key instanceof String k && value instanceof String v) {
                properties.put(k, v);
            }
        });
        return new ConfigSources(properties, System.getenv(), Path.of("").toAbsolutePath());
    }

    /**
     * Given sources, for tests and embedding.
     *
     * @param systemProperties stands for {@link System#getProperties()}
     * @param environment stands for {@link System#getenv()}
     * @param workingDirectory where {@value WdMmProperties#DEFAULT_CONFIG_FILE} is looked for
     * @return the sources
     */
    public static ConfigSources of(
            Map<String, String> systemProperties, Map<String, String> environment, Path workingDirectory) {
        return new ConfigSources(systemProperties, environment, workingDirectory);
    }

    /**
     * The configuration after precedence, with environment variables mapped by the generic rule
     * only (no declared option names): as {@link #resolve(Optional, Map, Collection)} with none.
     *
     * @param apiBackend the backend named through the API, if any (highest precedence)
     * @param apiOptions options given through the API (highest precedence)
     * @return the configured backend (if any) with its source, and the merged {@code wd.mm.*} options
     * @throws IllegalArgumentException if the properties file cannot be read, naming it, or
     *     {@value WdMmProperties#BACKEND_FORCE} is neither {@code true} nor {@code false}
     */
    public Configuration resolve(Optional<String> apiBackend, Map<String, String> apiOptions) {
        return resolve(apiBackend, apiOptions, List.of());
    }

    /**
     * The configuration after precedence: API argument, system property, environment variable,
     * properties file. An environment variable {@code WD_MM_...} sets every declared option whose
     * name, upper case with {@code .} and {@code -} as {@code _}, equals it
     * ({@code WD_MM_HUGEPAGE_RETAIN_EMPTY} sets {@code wd.mm.hugepage.retain-empty}); one that
     * matches no declared name becomes its lower-case form with {@code _} as {@code .}, so that a
     * misspelt one is refused by name like any other unknown key.
     *
     * @param apiBackend the backend named through the API, if any (highest precedence)
     * @param apiOptions options given through the API (highest precedence)
     * @param declared the option names the backends found declare
     * @return the configured backend (if any) with its source, and the merged {@code wd.mm.*} options
     * @throws IllegalArgumentException if the properties file cannot be read, naming it, or
     *     {@value WdMmProperties#BACKEND_FORCE} is neither {@code true} nor {@code false}
     */
    public Configuration resolve(
            Optional<String> apiBackend, Map<String, String> apiOptions, Collection<String> declared) {
        Map<String, String> file = file();
        String fileSource =
                "properties file " + configFile().map(Path::toString).orElse("(none)");
        Map<String, String> merged = new LinkedHashMap<>();
        Map<String, String> origins = new TreeMap<>();
        put(merged, origins, prefixed(file), key -> fileSource);
        Map<String, String> envNames = new TreeMap<>();
        put(merged, origins, fromEnvironment(declared, envNames), key -> "environment variable " + envNames.get(key));
        put(merged, origins, prefixed(systemProperties), key -> "system property " + key);
        put(merged, origins, apiOptions, key -> "API option " + key);
        Optional<String> backend;
        String source;
        if (apiBackend.isPresent()) {
            backend = apiBackend;
            source = "API argument";
        } else if (systemProperties.containsKey(WdMmProperties.BACKEND)) {
            backend = Optional.of(systemProperties.get(WdMmProperties.BACKEND));
            source = "system property " + WdMmProperties.BACKEND;
        } else if (environment.containsKey(WdMmProperties.BACKEND_ENV)) {
            backend = Optional.of(environment.get(WdMmProperties.BACKEND_ENV));
            source = "environment variable " + WdMmProperties.BACKEND_ENV;
        } else if (file.containsKey(WdMmProperties.BACKEND)) {
            backend = Optional.of(file.get(WdMmProperties.BACKEND));
            source = WdMmProperties.BACKEND + " in " + fileSource;
        } else {
            backend = Optional.empty();
            source = "not configured";
        }
        boolean force = force(merged.remove(WdMmProperties.BACKEND_FORCE), origins);
        merged.remove(WdMmProperties.BACKEND);
        merged.remove(WdMmProperties.CONFIG);
        return new Configuration(
                backend.map(String::trim), source, WdOptions.fromText(merged), configFile(), force, origins);
    }

    private static void put(
            Map<String, String> merged,
            Map<String, String> origins,
            Map<String, String> source,
            java.util.function.UnaryOperator<String> origin) {
        source.forEach((key, value) -> {
            merged.put(key, value);
            origins.put(key, origin.apply(key));
        });
    }

    private static boolean force(String text, Map<String, String> origins) {
        if (text == null) {
            return false;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new IllegalArgumentException(WdMmProperties.BACKEND_FORCE + "=" + text + " ("
                        + origins.get(WdMmProperties.BACKEND_FORCE) + ") must be true or false");
        };
    }

    /**
     * The properties file that applies: {@value WdMmProperties#CONFIG} (system property, then
     * environment {@value WdMmProperties#CONFIG_ENV}), else {@value WdMmProperties#DEFAULT_CONFIG_FILE}
     * in the working directory if it exists.
     *
     * @return the file, or empty
     */
    public Optional<Path> configFile() {
        String named = systemProperties.getOrDefault(WdMmProperties.CONFIG, environment.get(WdMmProperties.CONFIG_ENV));
        if (named != null) {
            return Optional.of(workingDirectory.resolve(named));
        }
        Path fallback = workingDirectory.resolve(WdMmProperties.DEFAULT_CONFIG_FILE);
        return Files.isRegularFile(fallback) ? Optional.of(fallback) : Optional.empty();
    }

    private Map<String, String> file() {
        Optional<Path> path = configFile();
        if (path.isEmpty()) {
            return Map.of();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path.get())) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(WdMmProperties.CONFIG + "=" + path.get() + " cannot be read: " + e, e);
        }
        Map<String, String> map = new TreeMap<>();
        properties
                .stringPropertyNames()
                .forEach(name -> map.put(name, properties.getProperty(name).trim()));
        return map;
    }

    private static Map<String, String> prefixed(Map<String, String> source) {
        Map<String, String> map = new TreeMap<>();
        source.forEach((key, value) -> {
            if (key.startsWith(WdMmProperties.PREFIX)) {
                map.put(key, value);
            }
        });
        return map;
    }

    private Map<String, String> fromEnvironment(Collection<String> declared, Map<String, String> envNames) {
        Map<String, List<String>> byEnvName = new TreeMap<>();
        for (String name : declared) {
            byEnvName.computeIfAbsent(envName(name), k -> new ArrayList<>()).add(name);
        }
        byEnvName
                .computeIfAbsent(WdMmProperties.BACKEND_FORCE_ENV, k -> new ArrayList<>())
                .add(WdMmProperties.BACKEND_FORCE);
        Map<String, String> map = new TreeMap<>();
        environment.forEach((key, value) -> {
            if (key.startsWith(WdMmProperties.ENV_PREFIX)
                    && !key.equals(WdMmProperties.BACKEND_ENV)
                    && !key.equals(WdMmProperties.CONFIG_ENV)) {
                List<String> names = byEnvName.getOrDefault(
                        key, List.of(key.toLowerCase(Locale.ROOT).replace('_', '.')));
                for (String name : names) {
                    map.put(name, value);
                    envNames.put(name, key);
                }
            }
        });
        return map;
    }

    /**
     * The environment-variable form of a property name: upper case, {@code .} and {@code -} as
     * {@code _} ({@code wd.mm.hugepage.retain-empty} is {@code WD_MM_HUGEPAGE_RETAIN_EMPTY}).
     *
     * @param property a property name
     * @return its environment-variable name
     */
    public static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return "ConfigSources[workingDirectory=" + workingDirectory + "]";
    }
}
