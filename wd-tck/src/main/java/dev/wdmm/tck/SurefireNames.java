package dev.wdmm.tck;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the kit contracts Surefire would skip: concrete top-level subclasses of a kit contract,
 * compiled into the same class directory as a given test, whose simple names match none of
 * Surefire's default includes ({@code Test*}, {@code *Test}, {@code *Tests}, {@code *TestCase}).
 */
final class SurefireNames {
    private static final Pattern DEFAULT_INCLUDES = Pattern.compile("Test.*|.*Test|.*Tests|.*TestCase");
    private static final List<Class<?>> CONTRACTS = List.of(
            WdMmBridgeContractTest.class,
            WdQueueContractTest.class,
            WdRegionSourceContractTest.class,
            WdBackendProviderContractTest.class,
            WdMmBridgeCampaign.class);

    private SurefireNames() {}

    static List<String> misnamedContracts(Class<?> test) throws IOException {
        Path classes;
        try {
            classes = Path.of(
                    test.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return List.of(); // no class directory to look at
        }
        if (!Files.isDirectory(classes)) {
            return List.of(); // a jar: not what Surefire scans
        }
        try (Stream<Path> files = Files.walk(classes)) {
            return files.map(classes::relativize)
                    .map(Path::toString)
                    .filter(name -> name.endsWith(".class") && !name.contains("$") && !name.contains("-"))
                    .map(name -> name.substring(0, name.length() - ".class".length())
                            .replace(java.io.File.separatorChar, '.'))
                    .filter(name -> isContract(name, test.getClassLoader()))
                    .filter(name -> !DEFAULT_INCLUDES
                            .matcher(name.substring(name.lastIndexOf('.') + 1))
                            .matches())
                    .sorted()
                    .toList();
        }
    }

    private static boolean isContract(String name, ClassLoader loader) {
        try {
            Class<?> type = Class.forName(name, false, loader);
            return !java.lang.reflect.Modifier.isAbstract(type.getModifiers())
                    && CONTRACTS.stream().anyMatch(contract -> contract.isAssignableFrom(type));
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
