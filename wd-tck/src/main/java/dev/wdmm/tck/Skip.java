package dev.wdmm.tck;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Loud skips: {@code SKIPPED <Class.method>: <reason>; fix: <fix>} printed to stdout, then the test
 * aborted through a JUnit assumption carrying the same line, so that a skipped contract is counted
 * as skipped and says what to do about it (the wd-mm build's {@code .ci/check-skips} requires the
 * line for every skipped test). Stateless; callable from any thread.
 */
public final class Skip {
    private Skip() {}

    /**
     * The line a skip prints.
     *
     * @param test the test as {@code Class.method} (the concrete class's simple name), without spaces
     * @param reason what is missing here, with the values read
     * @param fix how to provide it
     * @return {@code SKIPPED <test>: <reason>; fix: <fix>}
     */
    public static String line(String test, String reason, String fix) {
        return "SKIPPED " + test + ": " + reason + "; fix: " + fix;
    }

    /**
     * Skips the calling JUnit test, loudly. Not for inside a jqwik property's try, where an
     * assumption only rejects that try.
     *
     * @param test the test as {@code Class.method}
     * @param reason what is missing
     * @param fix how to provide it
     * @throws org.opentest4j.TestAbortedException always, to abort the test
     */
    public static void because(String test, String reason, String fix) {
        String line = line(test, reason, fix);
        System.out.println(line);
        assumeTrue(false, line);
    }

    /**
     * Skips the calling JUnit test, loudly, if the oracle cannot check IOVAs here.
     *
     * @param test the test as {@code Class.method}
     * @param oracle the oracle the test needs
     */
    static void unlessUsable(String test, IovaOracle oracle) {
        oracle.unavailability()
                .ifPresent(why ->
                        because(test, "IOVA oracle '" + oracle.name() + "' unusable: " + why.reason(), why.fix()));
    }
}
