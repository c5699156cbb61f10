package dev.wdmm.rig;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The check that runs inside the rig's guest: {@code java dev.wdmm.rig.DmaCheck plain|viommu}.
 *
 * <p>For the rig's own reference subject and for every backend of the configuration that is on the
 * class path (found by name through {@link ServiceLoader}), it moves buffers of several sizes and
 * interior offsets RAM → edu device → RAM through the address the subject gives, compares them byte
 * for byte, and runs a negative control (a deliberately wrong address must produce a mismatch).
 *
 * <p>In the plain guest (physical addresses) every subject first hands out a few held buffers
 * ({@link HeldBuffers}) whose addresses are recorded; then a migration round ({@link GuestMigration})
 * makes the kernel move memory; then the device copies each held buffer through the addresses
 * recorded before the round, which must still be right, before the subject's usual checks.
 *
 * <p>Prints {@code MIGRATION} lines, one {@code PASS <name> <mode> bytes=<n> buffers=<n> ...} or
 * {@code FAIL <name> ...} line per subject and a {@code TOTAL} line; exits 0 only if every subject
 * passed.
 */
public final class DmaCheck {
    /** Buffer sizes and interior offsets moved per subject: below, at and across page and transfer limits. */
    private static final long[][] CASES = {
        {1, 0}, {64, 7}, {4095, 0}, {4096, 1}, {5000, 3000}, {12411, 100}, {65536, 0}, {20000, 4093},
    };

    /**
     * Extra 2,048-byte buffers (interior offset 64) moved per VFIO subject: many iovaMap calls from
     * chunks already mapped, so the PASS line shows kernel map calls per chunk, not per map.
     */
    private static final int VFIO_REPEATS = 32;

    private static final List<String> PLAIN_BACKENDS = List.of("noiommu", "hugepage", "passthrough");
    private static final List<String> VIOMMU_BACKENDS = List.of("vfio");
    /** The backend whose region source gives the queue its reserved memory (subject queue-reserved). */
    private static final String QUEUE_BACKEND = "passthrough";
    /** The backend whose bridge registers an Arena buffer in the plain guest (subject noiommu-registered). */
    private static final String REGISTERED_PLAIN = "noiommu";
    /** Block size the rig opens passthrough with: the largest case and the SGL pool's area must fit one block. */
    private static final long PASSTHROUGH_BLOCK = 128 << 10;

    private int passes;
    private int fails;
    private long totalBytes;
    private long totalBuffers;

    private DmaCheck() {}

    /**
     * Runs the check for configuration {@code args[0]} ({@code plain} or {@code viommu}).
     *
     * @param args the configuration name
     */
    public static void main(String[] args) {
        String config = args.length == 1 ? args[0] : "";
        if (!config.equals("plain") && !config.equals("viommu")) {
            System.out.println("FAIL usage: DmaCheck plain|viommu (config=" + config + ")");
            System.exit(2);
        }
        DmaCheck check = new DmaCheck();
        String bdf = EduOpener.findBdf();
        System.out.println("INFO config=" + config + " edu=" + bdf);
        if (config.equals("plain")) {
            check.plain(bdf);
        } else {
            check.viommu(bdf);
        }
        System.out.println("TOTAL config=" + config + " passes=" + check.passes + " fails=" + check.fails + " bytes="
                + check.totalBytes + " buffers=" + check.totalBuffers);
        System.exit(check.fails == 0 && check.passes > 0 ? 0 : 1);
    }

    /**
     * The plain guest: every physical-address subject is opened and hands out its held buffers
     * first; then the migration round runs; then each subject's held buffers are moved through the
     * addresses recorded before the round, and its usual checks run.
     */
    private void plain(String bdf) {
        try (EduDevice edu = EduOpener.throughSysfs(bdf)) {
            Map<DmaSubject, HeldBuffers> held = new LinkedHashMap<>();
            holdFrom("raw-pagemap", RawSubjects::pagemap, held);
            for (String name : PLAIN_BACKENDS) {
                backend(name, null)
                        .ifPresent(provider ->
                                holdFrom(name, () -> BackendSubject.open(provider, options(name), "PA"), held));
            }
            backend(REGISTERED_PLAIN, null)
                    .ifPresent(provider -> holdFrom(
                            REGISTERED_PLAIN + "-registered",
                            () -> RegisteredSubject.open(
                                    REGISTERED_PLAIN + "-registered", provider, options(REGISTERED_PLAIN), "PA"),
                            held));
            if (backend(QUEUE_BACKEND, null).isPresent()) {
                holdFrom("queue-reserved", () -> QueueSubject.open("queue-reserved", QUEUE_BACKEND), held);
            }
            List<Long> addresses = new ArrayList<>();
            held.values().forEach(buffers -> addresses.addAll(buffers.addresses()));
            try {
                GuestMigration.run(addresses, edu);
            } catch (RuntimeException e) {
                fail("migration-round", "PA", e);
            }
            held.forEach((subject, buffers) -> check(edu, subject, buffers));
        }
    }

    /** Opens a subject and takes its held buffers; a failure FAILs the subject (closed again). */
    private void holdFrom(String name, Supplier<DmaSubject> opener, Map<DmaSubject, HeldBuffers> held) {
        DmaSubject subject;
        try {
            subject = opener.get();
        } catch (RuntimeException e) {
            fail(name, "PA", e);
            return;
        }
        try {
            HeldBuffers buffers = HeldBuffers.hold(subject);
            held.put(subject, buffers);
            System.out.println("INFO " + name + " held buffers=" + buffers.count() + " pieces=" + buffers.pieces()
                    + " (device addresses recorded before the migration round)");
        } catch (RuntimeException e) {
            subject.close();
            fail(name, "PA", e);
        }
    }

    private void viommu(String bdf) {
        String group = EduOpener.iommuGroup(bdf);
        int container = Vfio.openContainer();
        int groupFd = -1;
        int deviceFd = -1;
        try {
            groupFd = Vfio.attachGroup(container, group);
            deviceFd = Vfio.deviceFd(groupFd, bdf);
            try (EduDevice edu = EduOpener.throughVfio(deviceFd)) {
                run(edu, "raw-vfio", "TRANSLATED", () -> RawSubjects.vfio(container));
            }
        } catch (RuntimeException e) {
            fail("raw-vfio", "TRANSLATED", e);
        } finally {
            Posix.closeQuietly(deviceFd);
            Posix.closeQuietly(groupFd);
            Posix.closeQuietly(container);
        }
        for (String name : VIOMMU_BACKENDS) {
            backend(name, IommuMode.TRANSLATED).ifPresent(provider -> {
                runVfioBackend(provider, provider.name(), options(provider.name()));
                runRegisteredVfio(provider);
                vfioVaMode(provider);
            });
        }
    }

    private void runVfioBackend(WdBackendProvider provider, String name, WdOptions options) {
        BackendSubject subject;
        try {
            subject = BackendSubject.open(name, provider, options, "TRANSLATED");
        } catch (RuntimeException e) {
            fail(name, "TRANSLATED", e);
            return;
        }
        try (EduDevice edu = EduOpener.throughVfio(BackendSubject.vfioDeviceFd(subject.bridge()))) {
            run(edu, name, "TRANSLATED", () -> subject);
        } catch (RuntimeException e) {
            subject.close();
            fail(name, "TRANSLATED", e);
        }
        try {
            System.out.println("INFO " + name + " after close: " + subject.afterClose());
        } catch (RuntimeException e) {
            fail(name + "-close", "TRANSLATED", e);
        }
    }

    /** An Arena buffer registered with a VFIO bridge (one VFIO_IOMMU_MAP_DMA), moved through the device. */
    private void runRegisteredVfio(WdBackendProvider provider) {
        String name = provider.name() + "-registered";
        RegisteredSubject subject;
        try {
            subject = RegisteredSubject.open(name, provider, options(provider.name()), "TRANSLATED");
        } catch (RuntimeException e) {
            fail(name, "TRANSLATED", e);
            return;
        }
        try (EduDevice edu = EduOpener.throughVfio(BackendSubject.vfioDeviceFd(subject.bridge()))) {
            run(edu, name, "TRANSLATED", () -> subject);
        } catch (RuntimeException e) {
            subject.close();
            fail(name, "TRANSLATED", e);
        }
    }

    /**
     * vfio with {@code wd.mm.vfio.iova.mode=va} (IOVA == virtual address): where the kernel's usable
     * IOVA ranges cover this process's addresses, the whole check runs again as {@code vfio-va};
     * where they do not (an IOMMU narrower than the 47-bit address space, as QEMU's 39-bit
     * intel-iommu), the first allocation must be refused naming the ranges ({@code INFO vfio-va
     * refused ...}), else {@code vfio-va} FAILS.
     */
    private void vfioVaMode(WdBackendProvider provider) {
        WdOptions options = options(provider.name(), Map.of("wd.mm.vfio.iova.mode", "va"));
        boolean usable;
        try (WdMmBridge probe = provider.open(options)) {
            probe.free(probe.alloc(64));
            usable = true;
        } catch (WdAllocationException e) {
            if (!e.getMessage().contains("outside the usable IOVA ranges")) {
                fail("vfio-va", "TRANSLATED", e);
                return;
            }
            System.out.println("INFO vfio-va refused as documented: " + e.getMessage());
            usable = false;
        } catch (RuntimeException e) {
            fail("vfio-va", "TRANSLATED", e);
            return;
        }
        if (usable) {
            runVfioBackend(provider, "vfio-va", options);
        }
    }

    /** The provider called {@code name}, if present and available in {@code mode} (null: its physical mode). */
    private Optional<WdBackendProvider> backend(String name, IommuMode mode) {
        Optional<WdBackendProvider> found = ServiceLoader.load(WdBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals(name))
                .findFirst();
        if (found.isEmpty()) {
            System.out.println("ABSENT " + name + " (no provider of that name on the class path)");
            return found;
        }
        IommuMode asked = mode != null
                ? mode
                : found.get().modes().contains(IommuMode.NO_IOMMU) ? IommuMode.NO_IOMMU : IommuMode.PASSTHROUGH;
        WdAvailability availability = found.get().availability(new WdEnvironment(Path.of("/"), asked));
        if (availability instanceof WdAvailability.Unavailable u) {
            fail(name, asked.name(), new RigException("unavailable: " + u.reason() + "; fix: " + u.fix()));
            return Optional.empty();
        }
        return found;
    }

    /**
     * Every system property named wd.mm.* becomes a backend option, over the rig's defaults for
     * {@code backend}: passthrough serves allocations up to its fixed block size, so the rig opens it
     * with 128 KiB blocks (the largest case is 65,536 bytes; the SGL pool takes one 73,791-byte
     * allocation) and 64 of them (8 MiB, four huge pages).
     */
    private static WdOptions options(String backend) {
        return options(backend, Map.of());
    }

    /** {@link #options(String)} with {@code extra} over the rig's defaults (system properties still win). */
    private static WdOptions options(String backend, Map<String, String> extra) {
        Map<String, String> text = new TreeMap<>(extra);
        if (backend.equals("passthrough")) {
            text.put("wd.mm.passthrough.block-size", Long.toString(PASSTHROUGH_BLOCK));
            text.put("wd.mm.passthrough.block-count", "64");
        }
        System.getProperties().stringPropertyNames().stream()
                .filter(n -> n.startsWith("wd.mm."))
                .forEach(n -> text.put(n, System.getProperty(n)));
        return WdOptions.fromText(text);
    }

    private void run(EduDevice edu, String name, String mode, Supplier<DmaSubject> opener) {
        DmaSubject subject;
        try {
            subject = opener.get();
        } catch (RuntimeException e) {
            fail(name, mode, e);
            return;
        }
        check(edu, subject, null);
    }

    /**
     * Checks one subject and closes it: its held buffers first (if any: moved through the addresses
     * recorded before the migration round, then released), then the cases, the negative control and,
     * for a library backend, an SGL. A held buffer that mismatches FAILs the subject, after its other
     * checks have run.
     */
    private void check(EduDevice edu, DmaSubject subject, HeldBuffers held) {
        String name = subject.name();
        String mode = subject.mode();
        long transfersBefore = edu.transfers();
        RuntimeException heldFailure = null;
        try (subject) {
            RoundTrip trip = new RoundTrip(edu, subject, Long.getLong("rig.sabotage", 0L));
            long seed = name.hashCode();
            heldFailure = held == null ? null : verifyHeld(trip, held, seed + 1000);
            for (long[] c : CASES) {
                trip.check(c[0], c[1], seed++);
            }
            if (subject instanceof BackendSubject vfio && vfio.isVfio()) {
                for (int i = 0; i < VFIO_REPEATS; i++) {
                    trip.check(2048, 64, seed++);
                }
            }
            if (!trip.wrongAddressMismatches(256, 2 * RawPagemap.PAGE + 64, seed++)) {
                throw new RigException("negative control: a wrong IOVA still produced identical bytes,"
                        + " so this run cannot tell a right IOVA from a wrong one");
            }
            SglTrip sgl = new SglTrip(edu, subject);
            String issue16 = "";
            if (subject instanceof BackendSubject backend) {
                sgl.check(backend.bridge(), seed++);
                issue16 = Issue16Trips.check(edu, subject, backend.bridge(), seed++);
            }
            if (heldFailure != null) {
                throw heldFailure;
            }
            String kernel = subject instanceof BackendSubject backend
                    ? backend.kernelCalls()
                    : subject instanceof RegisteredSubject registered ? registered.describe() : "";
            pass(name, mode, trip, sgl, edu.transfers() - transfersBefore, (kernel + issue16).strip());
        } catch (RuntimeException e) {
            fail(
                    name,
                    mode,
                    heldFailure == null || heldFailure == e
                            ? e
                            : new RigException(heldFailure.getMessage() + "; and then: " + e, e));
        }
    }

    /** Moves the held buffers through their recorded addresses and releases them; returns the failure, if any. */
    private static RuntimeException verifyHeld(RoundTrip trip, HeldBuffers held, long seed) {
        try {
            held.verify(trip, seed);
            return null;
        } catch (RuntimeException e) {
            return new RigException("held buffer after the migration round: " + e.getMessage(), e);
        } finally {
            held.release();
        }
    }

    private void pass(String name, String mode, RoundTrip trip, SglTrip sgl, long transfers, String kernel) {
        passes++;
        long bytes = trip.bytes() + sgl.bytes();
        long buffers = trip.buffers() + sgl.entries();
        totalBytes += bytes;
        totalBuffers += buffers;
        System.out.println("PASS " + name + " " + mode + " bytes=" + bytes + " buffers=" + buffers
                + " held-after-migration=" + trip.premapped() + " sgl-entries=" + sgl.entries()
                + " negative-control=mismatch " + trip.maps() + " transfers=" + transfers
                + (kernel.isEmpty() ? "" : " " + kernel));
    }

    private void fail(String name, String mode, RuntimeException e) {
        fails++;
        System.out.println("FAIL " + name + " " + mode + " " + e);
        e.printStackTrace(System.out);
    }
}
