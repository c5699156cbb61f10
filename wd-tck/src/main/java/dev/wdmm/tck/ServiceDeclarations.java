package dev.wdmm.tck;

import dev.wdmm.spi.WdBackendProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;

/**
 * What the jar (or class directory) a provider class comes from declares: the class names in its
 * {@code META-INF/services/dev.wdmm.spi.WdBackendProvider} (comments and blanks dropped) and, if it
 * has a {@code module-info.class}, the implementations its {@code provides} names.
 *
 * @param location the jar or directory
 * @param servicesFile the class names listed, empty if there is no file
 * @param moduleProvides the providers the module declares, empty if there is no module-info
 */
record ServiceDeclarations(Path location, List<String> servicesFile, Optional<List<String>> moduleProvides) {
    private static final String SERVICES = "META-INF/services/" + WdBackendProvider.class.getName();

    static ServiceDeclarations of(Class<?> type) {
        Path location;
        try {
            location = Path.of(
                    type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("cannot tell which jar " + type.getName() + " comes from", e);
        }
        byte[] services = read(location, SERVICES);
        List<String> names = services == null
                ? List.of()
                : new String(services, StandardCharsets.UTF_8)
                        .lines()
                        .map(line -> line.replaceAll("#.*", "").trim())
                        .filter(line -> !line.isEmpty())
                        .toList();
        byte[] module = read(location, "module-info.class");
        Optional<List<String>> provides = Optional.ofNullable(module).map(bytes -> {
            try {
                return ModuleDescriptor.read(new ByteArrayInputStream(bytes)).provides().stream()
                        .filter(p -> p.service().equals(WdBackendProvider.class.getName()))
                        .flatMap(p -> p.providers().stream())
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new ServiceDeclarations(location, names, provides);
    }

    private static byte[] read(Path location, String entry) {
        try {
            if (Files.isDirectory(location)) {
                Path file = location.resolve(entry);
                return Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            }
            try (JarFile jar = new JarFile(location.toFile())) {
                var found = jar.getJarEntry(entry);
                return found == null ? null : jar.getInputStream(found).readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + entry + " of " + location, e);
        }
    }
}
