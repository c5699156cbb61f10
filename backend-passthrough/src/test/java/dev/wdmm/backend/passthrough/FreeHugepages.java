package dev.wdmm.backend.passthrough;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The tests' own reading of the kernel's 2 MiB huge page counts, and the loud skip. */
final class FreeHugepages {
    static final long HUGE = 2L << 20;
    static final String FIX = "sysctl vm.nr_hugepages=256";
    private static final Path DIR = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB");

    private FreeHugepages() {
    }

    static long free() {
        return read("free_hugepages");
    }

    static long total() {
        return read("nr_hugepages");
    }

    /** Skips the calling test, loudly, unless {@code needed} 2 MiB huge pages are free. */
    static void assume(long needed) {
        long free = Files.exists(DIR) ? free() : 0;
        if (free < needed) {
            String message = "SKIPPED: passthrough tests need " + needed + " free 2 MiB huge pages, free_hugepages="
                    + free + "; reserve them as root: " + FIX;
            System.err.println("*** " + message + " ***");
            assumeTrue(false, message);
        }
    }

    private static long read(String name) {
        try {
            return Long.parseLong(Files.readString(DIR.resolve(name)).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
