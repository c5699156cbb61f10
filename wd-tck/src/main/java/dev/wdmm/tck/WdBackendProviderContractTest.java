package dev.wdmm.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules every {@link WdBackendProvider} keeps: its name has the documented form, it is declared
 * as a service both ways ({@code META-INF/services} and, where its jar has one, {@code module-info}'s
 * {@code provides}), {@code availability} never throws (for any mode, any root, any options), its
 * options are unique and described (its own ones named {@code wd.mm.<name>.*}; general settings
 * such as {@code wd.mm.checked} may be declared too), {@code open} refuses an unknown option of its
 * prefix naming it,
 * and each {@code open} gives an independent bridge whose {@code close} is idempotent. It also
 * checks that every subclass of a kit contract compiled beside it is named so that Surefire's
 * default includes run it (a {@code FooContract} would be skipped without a word). A backend's
 * test extends this class and implements {@link #provider()}; tests that open a bridge are skipped
 * loudly, with the provider's own reason and fix, where it is unavailable here.
 */
public abstract class WdBackendProviderContractTest {
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

    /** A directory the availability checks use as an empty fixture root; set by JUnit. */
    @TempDir
    Path emptyRoot;

    /** For subclasses: a backend's provider contract test. */
    protected WdBackendProviderContractTest() {}

    /**
     * A new instance of the provider under test, as {@link java.util.ServiceLoader} would make it.
     *
     * @return the provider
     */
    protected abstract WdBackendProvider provider();

    /**
     * Options with which {@code open} works here (e.g. a small size); empty unless overridden.
     *
     * @return the options
     */
    protected WdOptions openOptions() {
        return WdOptions.empty();
    }

    /**
     * The environment in which the provider is opened: the real root and the first mode it serves,
     * unless overridden.
     *
     * @return the environment
     */
    protected WdEnvironment environment() {
        return new WdEnvironment(Path.of("/"), provider().modes().iterator().next());
    }

    @Test
    void nameDescriptionModesAndPriorityAreAsDocumented() {
        WdBackendProvider provider = provider();
        String name = provider.name();
        assertNotNull(name, "name() is null");
        assertTrue(NAME.matcher(name).matches(), () -> "name=" + name + " must match [a-z0-9-]+");
        assertEquals(name, provider().name(), "the name is stable");
        assertTrue(provider.description() != null && !provider.description().isBlank(), "a one-line description");
        assertFalse(provider.modes().isEmpty(), "modes() is a non-empty set");
        assertEquals(provider.priority(), provider().priority(), "the priority is stable");
    }

    @Test
    void theProviderIsDeclaredAsAServiceBothWays() throws IOException {
        Class<?> type = provider().getClass();
        assertTrue(Modifier.isPublic(type.getModifiers()), () -> type + " must be public for ServiceLoader");
        try {
            assertTrue(Modifier.isPublic(type.getConstructor().getModifiers()));
        } catch (NoSuchMethodException e) {
            fail(type + " needs a public no-argument constructor for ServiceLoader", e);
        }
        ServiceDeclarations declarations = ServiceDeclarations.of(type);
        assertTrue(
                declarations.servicesFile().contains(type.getName()),
                () -> declarations.location() + " must list " + type.getName() + " in META-INF/services/"
                        + WdBackendProvider.class.getName() + " (found: " + declarations.servicesFile() + ")");
        declarations
                .moduleProvides()
                .ifPresent(provides -> assertTrue(
                        provides.contains(type.getName()),
                        () -> "module-info.class of " + declarations.location() + " must declare 'provides "
                                + WdBackendProvider.class.getName() + " with " + type.getName() + "' (found: "
                                + provides + ")"));
    }

    @Test
    void availabilityNeverThrowsForAnyModeRootOrOptions() {
        WdBackendProvider provider = provider();
        List<WdOptions> optionSets = new ArrayList<>(List.of(WdOptions.empty(), openOptions(), unknownOption()));
        for (WdOption<?> option : provider.options()) {
            optionSets.add(WdOptions.fromText(Map.of(option.name(), "not-a-value\u0000")));
        }
        for (Path root : List.of(Path.of("/"), emptyRoot, emptyRoot.resolve("missing"))) {
            for (IommuMode mode : IommuMode.values()) {
                WdEnvironment environment = new WdEnvironment(root, mode);
                for (WdOptions options : optionSets) {
                    WdAvailability availability;
                    try {
                        availability = provider.availability(environment, options);
                    } catch (RuntimeException e) {
                        throw new AssertionError(
                                "availability(" + environment + ", " + options + ") threw instead of returning an"
                                        + " Unavailable with the reason and the fix",
                                e);
                    }
                    assertNotNull(availability, () -> "availability(" + environment + ", " + options + ") is null");
                }
            }
        }
    }

    @Test
    void optionsAreNamedUniqueDescribedAndStable() {
        WdBackendProvider provider = provider();
        List<WdOption<?>> options = provider.options();
        assertEquals(options, provider.options(), "options() returns the same list on every call");
        assertEquals(
                options.size(),
                options.stream().map(WdOption::name).distinct().count(),
                () -> "option names must be unique: "
                        + options.stream().map(WdOption::name).toList());
        for (WdOption<?> option : options) {
            assertFalse(option.description().isBlank(), () -> option.name() + " needs a description");
        }
    }

    @Test
    void openRefusesAnUnknownOptionOfItsPrefixNamingIt() {
        skipUnlessAvailable("openRefusesAnUnknownOptionOfItsPrefixNamingIt");
        String key = unknownKey();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> provider().open(openOptions().with(unknownOption())).close(),
                () -> "open accepted the unknown option " + key
                        + "=1 (call options.requireKnown(\"wd.mm.<name>.\", options()) in open)");
        WdMmBridgeContractTest.assertMessage(e, key);
    }

    @Test
    void eachOpenGivesAnIndependentBridgeWhoseCloseIsIdempotent() {
        skipUnlessAvailable("eachOpenGivesAnIndependentBridgeWhoseCloseIsIdempotent");
        WdBackendProvider provider = provider();
        WdMmBridge first = provider.open(openOptions());
        WdMmBridge second = provider.open(openOptions());
        try {
            MemorySegment segment = first.alloc(64);
            WdOwnershipException foreign = assertThrows(
                    WdOwnershipException.class,
                    () -> second.free(segment),
                    () -> "the second bridge freed va=" + Hex.of(segment.address()) + " of the first");
            assertEquals(WdOwnershipException.Reason.FOREIGN, foreign.reason(), foreign.getMessage());
            first.free(segment);
        } finally {
            first.close();
            first.close();
        }
        assertThrows(WdClosedException.class, () -> first.alloc(64));
        MemorySegment stillOpen = second.alloc(64);
        second.free(stillOpen);
        second.close();
        second.close();
        assertThrows(WdClosedException.class, () -> second.alloc(64));
    }

    @Test
    void everyKitContractBesideThisTestIsNamedSoThatSurefireRunsIt() throws IOException {
        List<String> misnamed = SurefireNames.misnamedContracts(getClass());
        assertTrue(
                misnamed.isEmpty(),
                () -> "Surefire's default includes (Test*, *Test, *Tests, *TestCase) skip these kit contracts"
                        + " silently; rename them to end in Test: " + misnamed);
    }

    private void skipUnlessAvailable(String method) {
        WdAvailability availability = provider().availability(environment(), openOptions());
        if (availability instanceof WdAvailability.Unavailable unavailable) {
            Skip.because(
                    getClass().getSimpleName() + "." + method,
                    provider().name() + " is unavailable here: " + unavailable.reason(),
                    unavailable.fix());
        }
    }

    private String unknownKey() {
        return "wd.mm." + provider().name() + ".no-such-option-of-the-kit";
    }

    private WdOptions unknownOption() {
        return WdOptions.fromText(Map.of(unknownKey(), "1"));
    }
}
