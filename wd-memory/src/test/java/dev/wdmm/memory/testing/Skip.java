package dev.wdmm.memory.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Loud skips from inside a JUnit test (or its {@code @BeforeAll}/{@code @BeforeEach}): prints
 * {@code SKIPPED <test>: <reason>; fix: <fix>} to stdout, then aborts the test with a JUnit
 * assumption carrying the same line. Not for jqwik properties: there an assumption rejects one try;
 * use {@link NeedsKernel} on the property or its class.
 */
public final class Skip {
    private Skip() {}

    /**
     * The line a skip prints.
     *
     * @param test the test as {@code Class.method}, e.g. {@code PagemapTest.frameNumbers}, without spaces
     *     ({@code .ci/check-skips} matches it with the skipped tests of the reports)
     * @param reason what is missing
     * @param fix how to provide it
     * @return {@code SKIPPED <test>: <reason>; fix: <fix>}
     */
    public static String line(String test, String reason, String fix) {
        return "SKIPPED " + test + ": " + reason + "; fix: " + fix;
    }

    /**
     * The line for several unmet needs at once.
     *
     * @param test the test's name
     * @param unmet at least one unmet need
     * @return {@code SKIPPED <test>: <reasons>; fix: <fixes>}
     */
    static String line(String test, List<Needs.Unmet> unmet) {
        return line(
                test,
                unmet.stream().map(Needs.Unmet::reason).collect(Collectors.joining(", and ")),
                unmet.stream().map(Needs.Unmet::fix).distinct().collect(Collectors.joining(", and ")));
    }

    /**
     * Skips the calling test, loudly.
     *
     * @param test the test's name
     * @param reason what is missing
     * @param fix how to provide it
     */
    public static void because(String test, String reason, String fix) {
        String line = line(test, reason, fix);
        System.out.println(line);
        assumeTrue(false, line);
    }

    /**
     * Skips the calling test, loudly, unless every need is met.
     *
     * @param test the test's name
     * @param needs results of {@link Needs}' checks
     */
    @SafeVarargs
    public static void unless(String test, Optional<Needs.Unmet>... needs) {
        List<Needs.Unmet> unmet = new ArrayList<>();
        for (Optional<Needs.Unmet> need : needs) {
            need.ifPresent(unmet::add);
        }
        if (!unmet.isEmpty()) {
            String line = line(test, unmet);
            System.out.println(line);
            assumeTrue(false, line);
        }
    }
}
