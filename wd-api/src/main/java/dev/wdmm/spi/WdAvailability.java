package dev.wdmm.spi;

import java.util.List;
import java.util.Objects;

/**
 * Whether a backend can work here, and why not. A closed set: {@link Available} or
 * {@link Unavailable}. Immutable and thread-safe.
 */
public sealed interface WdAvailability {

    /**
     * Facts worth showing in {@code wd-mm doctor} ({@code "pagemap: PFNs visible"},
     * {@code "RLIMIT_MEMLOCK: unlimited"}).
     *
     * @return the details, possibly empty
     */
    List<String> details();

    /**
     * Whether the backend can be used.
     *
     * @return true for {@link Available}
     */
    default boolean isAvailable() {
        return this instanceof Available;
    }

    /**
     * The backend works here.
     *
     * @param details facts worth showing
     */
    record Available(List<String> details) implements WdAvailability {
        /** Copies the details. */
        public Available {
            details = List.copyOf(details);
        }
    }

    /**
     * The backend cannot work here.
     *
     * @param reason what is missing, with the values read
     * @param fix what the user can do about it (a command, a capability, a configuration)
     * @param details facts worth showing
     */
    record Unavailable(String reason, String fix, List<String> details) implements WdAvailability {
        /** Checks that reason and fix are given. */
        public Unavailable {
            Objects.requireNonNull(reason, "reason is null");
            Objects.requireNonNull(fix, "fix is null");
            details = List.copyOf(details);
        }
    }

    /**
     * Available, with details.
     *
     * @param details facts worth showing
     * @return an {@link Available}
     */
    static WdAvailability available(String... details) {
        return new Available(List.of(details));
    }

    /**
     * Unavailable, with the reason and the fix.
     *
     * @param reason what is missing
     * @param fix what to do about it
     * @param details facts worth showing
     * @return an {@link Unavailable}
     */
    static WdAvailability unavailable(String reason, String fix, String... details) {
        return new Unavailable(reason, fix, List.of(details));
    }
}
