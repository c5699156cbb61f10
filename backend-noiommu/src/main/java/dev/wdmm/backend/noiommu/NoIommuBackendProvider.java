package dev.wdmm.backend.noiommu;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdNativeException;
import dev.wdmm.core.nativeio.NativeMemory;
import dev.wdmm.core.nativeio.Pagemap;
import dev.wdmm.core.nativeio.ResourceLimit;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code noiommu} backend: pinned, page-backed memory whose IOVA is its physical address,
 * read from {@code /proc/self/pagemap}. Correct where the device sees physical addresses
 * ({@link IommuMode#NO_IOMMU}, {@link IommuMode#PASSTHROUGH}). A range gets one IOVA only when it
 * is physically contiguous; bridges it opens implement
 * {@link dev.wdmm.core.nativeio.PhysicalContiguity} so callers can split ranges that are not.
 *
 * <p>Needs {@code CAP_SYS_ADMIN} (without it pagemap hides frame numbers) and permission to lock
 * memory ({@code RLIMIT_MEMLOCK} or {@code CAP_IPC_LOCK}). Stateless and thread-safe; the
 * constructor does no work.
 */
public final class NoIommuBackendProvider implements WdBackendProvider {
    /** The name users configure: {@code wd.mm.backend=noiommu}. */
    public static final String NAME = "noiommu";

    private static final String PREFIX = "wd.mm." + NAME + ".";
    private static final int CAP_IPC_LOCK = 14;

    /** Creates the provider; does no work (discovery instantiates every provider). */
    public NoIommuBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pinned 4 KiB pages (mmap + mlock, populated); IOVA = physical address from /proc/self/pagemap;"
                + " for machines without an IOMMU or with the IOMMU in passthrough";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.NO_IOMMU, IommuMode.PASSTHROUGH);
    }

    @Override
    public int priority() {
        return 100;
    }

    /**
     * Checks this process (pagemap and memory locking are facts of the running process, not of
     * the sysfs tree, so they are checked for real whatever {@code environment.root()} is): that
     * pagemap shows frame numbers, and that a page can be locked (by mapping, locking and
     * releasing one page). Never throws.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment) {
        Objects.requireNonNull(environment, "environment is null");
        List<String> details = new ArrayList<>();
        try {
            var cause = Pagemap.unavailabilityCause();
            details.add(cause.isEmpty() ? "pagemap: PFNs visible (CAP_SYS_ADMIN)" : "pagemap: PFNs not visible");
            ResourceLimit limit = NativeMemory.memlockLimit();
            details.add("RLIMIT_MEMLOCK: " + limit);
            boolean ipcLock = hasCapability(CAP_IPC_LOCK);
            details.add("CAP_IPC_LOCK: " + (ipcLock ? "yes (RLIMIT_MEMLOCK does not apply)" : "no (RLIMIT_MEMLOCK applies)"));
            details.add("page size: " + NativeMemory.pageSize());
            String[] shown = details.toArray(String[]::new);
            if (cause.isPresent()) {
                return WdAvailability.unavailable(cause.get(), "run as root or grant the process CAP_SYS_ADMIN", shown);
            }
            String lockProblem = lockProbe();
            if (lockProblem != null) {
                return WdAvailability.unavailable("memory cannot be locked: " + lockProblem,
                        "`ulimit -l unlimited` (RLIMIT_MEMLOCK " + limit + ") or grant CAP_IPC_LOCK", shown);
            }
            return WdAvailability.available(shown);
        } catch (RuntimeException | LinkageError e) {
            return WdAvailability.unavailable("native memory calls failed: " + e,
                    "run on Linux with --enable-native-access=dev.wdmm.core (module path) or ALL-UNNAMED (class path)",
                    details.toArray(String[]::new));
        }
    }

    /**
     * Opens a new bridge. This backend has no options; any {@code wd.mm.noiommu.*} key is refused.
     *
     * @throws IllegalArgumentException if an option of this backend is given
     * @throws IllegalStateException if the backend is unavailable (reason and fix in the message)
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        Objects.requireNonNull(options, "options is null");
        options.requireKnown(PREFIX, options());
        WdAvailability availability = availability(new WdEnvironment(Path.of("/"), IommuMode.NO_IOMMU));
        if (availability instanceof WdAvailability.Unavailable(String reason, String fix, List<String> details)) {
            throw new IllegalStateException(NAME + " backend unavailable: " + reason + "; fix: " + fix + " " + details);
        }
        return NoIommuBridge.open();
    }

    /** Maps, locks and releases one page; returns what went wrong, or null. */
    private static String lockProbe() {
        MemorySegment page = NativeMemory.mmap(NativeMemory.pageSize(),
                NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
        try {
            NativeMemory.mlock(page);
            NativeMemory.munlock(page);
            return null;
        } catch (WdNativeException e) {
            return e.call() + " failed with errno=" + e.errno() + " (" + NativeMemory.strerror(e.errno()) + ")";
        } finally {
            NativeMemory.munmap(page);
        }
    }

    private static boolean hasCapability(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
