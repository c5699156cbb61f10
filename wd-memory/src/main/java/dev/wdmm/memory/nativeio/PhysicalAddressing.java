package dev.wdmm.memory.nativeio;

import dev.wdmm.spi.WdAvailability;
import java.util.List;
import java.util.Optional;

/**
 * The availability check shared by backends whose IOVAs are physical addresses: this process
 * must see frame numbers in pagemap ({@code CAP_SYS_ADMIN}) and must be able to hold pages in
 * place ({@link LongTermPins}); without either, such a backend would hand devices addresses that
 * are 0 or may go stale. Stateless and thread-safe; both probes run once per process.
 */
public final class PhysicalAddressing {
    private PhysicalAddressing() {}

    /**
     * Adds what was found to {@code details} and returns why physical addresses cannot be handed
     * out here, if they cannot. Never throws for an environment problem.
     *
     * @param details where the facts go: pagemap visibility, how pages are held in place
     *     ({@code holding} says at what granularity, e.g. {@code "one pin per 2 MiB page run"}),
     *     and whether pins are charged to {@code RLIMIT_MEMLOCK}
     * @param holding what this backend pins, for the detail line
     * @return empty when both work, otherwise the unavailability with its reason and fix
     * @throws NullPointerException if an argument is null
     */
    public static Optional<WdAvailability.Unavailable> check(List<String> details, String holding) {
        java.util.Objects.requireNonNull(details, "details is null");
        java.util.Objects.requireNonNull(holding, "holding is null");
        try {
            Optional<String> hidden = Pagemap.unavailabilityCause();
            details.add(hidden.isEmpty() ? "pagemap: PFNs visible (CAP_SYS_ADMIN)" : "pagemap: PFNs hidden");
            Optional<String> pinning = LongTermPins.unavailabilityCause();
            details.add("pages held in place by: " + LongTermPins.METHOD + ", " + holding + "; PFNs read after pinning"
                    + (pinning.isEmpty() ? "" : " (UNAVAILABLE here)"));
            details.add("pins charged to RLIMIT_MEMLOCK: "
                    + (LongTermPins.chargedToMemlock()
                            ? "yes, limit " + NativeMemory.memlockLimit() + " (no CAP_IPC_LOCK)"
                            : "no (CAP_IPC_LOCK)"));
            if (hidden.isPresent()) {
                return Optional.of(new WdAvailability.Unavailable(
                        "physical addresses cannot be read: " + hidden.get(),
                        "run with CAP_SYS_ADMIN (as root, or setcap cap_sys_admin+ep on the java binary)",
                        List.copyOf(details)));
            }
            if (pinning.isPresent()) {
                return Optional.of(new WdAvailability.Unavailable(
                        "pages cannot be held in place (mlock does not stop" + " the kernel from moving them): "
                                + pinning.get(),
                        "enable io_uring for this process"
                                + " (sysctl kernel.io_uring_disabled=0, allow io_uring_setup in seccomp) and give it a memlock"
                                + " budget (`ulimit -l unlimited` or CAP_IPC_LOCK)",
                        List.copyOf(details)));
            }
            return Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of(new WdAvailability.Unavailable(
                    "native memory calls failed: " + e,
                    "run on Linux with --enable-native-access=dev.wdmm.memory (module path) or ALL-UNNAMED (class path)",
                    List.copyOf(details)));
        }
    }
}
