package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.core.testproviders.FakeProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {
    private static final String SERVICES = "META-INF/services/dev.wdmm.spi.WdBackendProvider";

    @TempDir
    Path temp;

    @Test
    void brokenProvidersAreReportedAndSkippedWhileOthersLoad() throws IOException {
        Path dir = temp.resolve("services");
        Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(
                dir.resolve(SERVICES),
                String.join(
                                "\n",
                                FakeProvider.ThrowsInConstructor.class.getName(),
                                "com.example.NoSuchProvider",
                                FakeProvider.ThrowsInName.class.getName(),
                                FakeProvider.Alpha.class.getName())
                        + "\n");
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Discovery discovery = Discovery.load(loader);
            assertEquals(List.of("alpha"), discovery.names());
            assertEquals(3, discovery.broken().size(), discovery.broken().toString());
            String all = discovery.broken().toString();
            assertTrue(all.contains("constructor of a broken provider"), all);
            assertTrue(all.contains("com.example.NoSuchProvider"), all);
            assertTrue(all.contains("name of a broken provider"), all);
            Discovery.Broken ctor = discovery.broken().stream()
                    .filter(b -> b.type().equals(FakeProvider.ThrowsInConstructor.class.getName()))
                    .findFirst()
                    .orElseThrow();
            assertTrue(ctor.location().contains("test-classes"), ctor.location());
        }
    }

    @Test
    void twoProvidersWithOneNameFailNamingBothJars() throws IOException {
        Path first = jar("first.jar", FakeProvider.Alpha.class);
        Path second = jar("second.jar", FakeProvider.AlphaTwin.class);
        ClassLoader hiding = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith(FakeProvider.class.getName() + "$")) {
                    throw new ClassNotFoundException(name + " is hidden so it loads from the test jars");
                }
                return super.loadClass(name, resolve);
            }
        };
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {first.toUri().toURL(), second.toUri().toURL()}, hiding)) {
            WdDiscoveryException e = assertThrows(WdDiscoveryException.class, () -> Discovery.load(loader));
            assertTrue(e.getMessage().contains("name=alpha"), e.getMessage());
            assertTrue(e.getMessage().contains("first.jar") && e.getMessage().contains("second.jar"), e.getMessage());
        }
    }

    @Test
    void givenProvidersAreSortedByNameWithTheirLocations() {
        Discovery discovery = Discovery.of(List.of(
                new FakeProvider(
                        "zeta",
                        java.util.Set.of(dev.wdmm.api.IommuMode.SVA),
                        1,
                        dev.wdmm.spi.WdAvailability.available(),
                        null),
                new FakeProvider.Alpha()));
        assertEquals(List.of("alpha", "zeta"), discovery.names());
        assertTrue(discovery.find("alpha").orElseThrow().location().contains("test-classes"));
        assertTrue(discovery.find("nope").isEmpty());
    }

    @Test
    void invalidNameIsReportedAsBroken() {
        Discovery discovery = Discovery.of(List.of(new FakeProvider(
                "Bad Name",
                java.util.Set.of(dev.wdmm.api.IommuMode.SVA),
                1,
                dev.wdmm.spi.WdAvailability.available(),
                null)));
        assertTrue(discovery.backends().isEmpty());
        assertTrue(
                discovery.broken().getFirst().error().contains("name()=Bad Name"),
                discovery.broken().toString());
    }

    @Test
    void bootLayerDiscoveryOnTheClassPathFindsNothingAndFailsNothing() {
        Discovery discovery = Discovery.load(ModuleLayer.boot());
        assertTrue(discovery.broken().isEmpty(), discovery.broken().toString());
    }

    private Path jar(String name, Class<?> provider) throws IOException {
        Path jar = temp.resolve(name);
        String entry = provider.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out);
                InputStream classBytes = getClass().getClassLoader().getResourceAsStream(entry)) {
            jarOut.putNextEntry(new JarEntry(entry));
            classBytes.transferTo(jarOut);
            jarOut.closeEntry();
            jarOut.putNextEntry(new JarEntry(SERVICES));
            jarOut.write((provider.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return jar;
    }
}
