package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.core.testproviders.FakeProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void twoProvidersWithOneNameAreReportedNamingBothJarsWhileOthersLoad() throws IOException {
        try (URLClassLoader loader = ProviderJars.loader(
                temp, FakeProvider.Alpha.class, FakeProvider.AlphaTwin.class, FakeProvider.Omega.class)) {
            Discovery discovery = Discovery.load(loader);
            assertEquals(List.of("omega"), discovery.names());
            Discovery.Duplicate alpha = discovery.duplicate("alpha").orElseThrow();
            assertEquals(2, alpha.providers().size(), alpha.toString());
            assertTrue(alpha.describe().contains("0.jar") && alpha.describe().contains("1.jar"), alpha.describe());
            assertTrue(discovery.find("alpha").isEmpty(), "a duplicate name is not a backend of its own");
            assertTrue(discovery.broken().isEmpty(), discovery.broken().toString());
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
}
