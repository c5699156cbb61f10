package dev.wdmm.backend.vfio;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.alloc.AllocatorSettings;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The {@code vfio} backend: IOMMU-translated mode through a VFIO container (type1 v2). The device is
 * named by {@link #DEVICE}; its bridge offers
 * {@link dev.wdmm.api.WdDeviceAccess} (the device fd) through {@code unwrap}. Thread-safe and stateless.
 */
public final class VfioBackendProvider implements WdBackendProvider {
    /** The PCI address (BDF) of the device, bound to vfio-pci, whose container the memory is mapped into. */
    public static final WdOption<String> DEVICE = WdOption.text(
            "wd.mm.vfio.device", "", "PCI address (BDF) of the device bound to vfio-pci, e.g. 0000:00:03.0");
    /**
     * How a chunk gets its IOVA: {@code allocated} (default) from the backend's allocator inside the
     * usable IOVA ranges and {@code [iova.base, iova.limit)}; {@code va} the chunk's own virtual
     * address (IOVA == VA), refused with the ranges named when a chunk lies outside them (an IOMMU
     * with a 39-bit address width cannot reach the usual 47-bit mmap addresses).
     */
    public static final WdOption<String> IOVA_MODE = WdOption.text(
            "wd.mm.vfio.iova.mode",
            "allocated",
            "allocated: IOVAs from the backend's allocator inside the kernel's usable ranges; va: IOVA == virtual address");
    /** Lowest IOVA handed out (page-aligned; the default, 4 GiB, stays clear of the x86 MSI window). */
    public static final WdOption<Long> IOVA_BASE =
            WdOption.size("wd.mm.vfio.iova.base", 1L << 32, IovaAllocator.PAGE, 1L << 47, "lowest IOVA handed out");
    /** End of the IOVA space handed out (the default, 512 GiB, fits a 39-bit IOMMU address width). */
    public static final WdOption<Long> IOVA_LIMIT = WdOption.size(
            "wd.mm.vfio.iova.limit", 1L << 39, 2 * IovaAllocator.PAGE, 1L << 48, "end of the IOVA space handed out");

    /** Groups whose IOVA ranges availability reads (each opened and closed again). */
    private static final int MAX_PROBED_GROUPS = 4;

    /** {@code wd.mm.vfio.limit-bytes}: the most bytes of chunks the bridge holds (maps) at once (default: no limit). */
    public static final WdOption<Long> LIMIT_BYTES = AllocatorSettings.limitOption("vfio");

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public VfioBackendProvider() {}

    @Override
    public String name() {
        return "vfio";
    }

    @Override
    public String description() {
        return "IOMMU-translated DMA through VFIO: one VFIO_IOMMU_MAP_DMA per 2 MiB chunk carved by wd-memory's chunk"
                + " allocator, IOVAs inside the kernel's usable ranges (or IOVA == VA); iovaMap is arithmetic";
    }

    @Override
    public Set<IommuMode> modes() {
        return Set.of(IommuMode.TRANSLATED);
    }

    @Override
    public int priority() {
        return 400;
    }

    @Override
    public List<WdOption<?>> options() {
        return List.of(DEVICE, IOVA_MODE, IOVA_BASE, IOVA_LIMIT, LIMIT_BYTES);
    }

    /**
     * Available only where an IOMMU group is usable through VFIO: groups exist and one is bound to
     * vfio-pci. The details name the groups, the kernel's {@code dma_entry_limit} and, on the real
     * root, the usable IOVA ranges and {@code dma_avail} of a container holding each group (up to
     * four; each group is opened and closed again, the device is not opened; a group held elsewhere
     * says why its ranges could not be read).
     * The machine alone: {@link #availability(WdEnvironment, WdOptions)} also checks the configured
     * device.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment) {
        if (entries(environment.resolve("sys/kernel/iommu_groups")).isEmpty()) {
            return WdAvailability.unavailable(
                    "no IOMMU groups under /sys/kernel/iommu_groups: the kernel runs without an IOMMU",
                    "boot with intel_iommu=on (or amd_iommu=on) on a machine with an IOMMU; Debian kernels have no VFIO no-IOMMU mode");
        }
        if (!Files.exists(environment.resolve("dev/vfio/vfio"))) {
            return WdAvailability.unavailable("/dev/vfio/vfio is missing: VFIO is not loaded", "modprobe vfio-pci");
        }
        List<String> groups = entries(environment.resolve("dev/vfio")).stream()
                .filter(n -> n.matches("[0-9]+"))
                .toList();
        if (groups.isEmpty()) {
            return WdAvailability.unavailable(
                    "no device is bound to vfio-pci (no group under /dev/vfio)",
                    "echo vfio-pci > /sys/bus/pci/devices/<bdf>/driver_override; echo <bdf> > /sys/bus/pci/drivers_probe;"
                            + " then set " + DEVICE.name() + "=<bdf>");
        }
        List<String> details = new ArrayList<>();
        details.add("vfio groups=" + String.join(",", groups));
        dmaEntryLimit(environment)
                .ifPresent(limit -> details.add("dma_entry_limit=" + limit
                        + " (most DMA mappings per container; this backend makes one per 2 MiB chunk)"));
        if (environment.isRealRoot()) {
            groups.stream().limit(MAX_PROBED_GROUPS).forEach(group -> details.add(probe(group)));
        }
        return new WdAvailability.Available(details);
    }

    /** The container's usable IOVA ranges and dma_avail with {@code group} attached, or why they cannot be read. */
    private static String probe(String group) {
        try {
            return "group " + group + ": " + VfioContainer.probe(group).describe();
        } catch (RuntimeException e) {
            return "group " + group + ": iova ranges not read (" + e.getMessage() + ")";
        }
    }

    private static Optional<String> dmaEntryLimit(WdEnvironment environment) {
        try {
            return Optional.of(
                    Files.readString(environment.resolve("sys/module/vfio_iommu_type1/parameters/dma_entry_limit"))
                            .trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * As {@link #availability(WdEnvironment)}, then checks {@link #DEVICE}: it must be set, name a
     * PCI device under the environment's {@code sys/bus/pci/devices} that is bound to vfio-pci, and
     * its IOMMU group must be under {@code dev/vfio}, since {@link #open} fails otherwise.
     */
    @Override
    public WdAvailability availability(WdEnvironment environment, WdOptions options) {
        WdAvailability machine = availability(environment);
        if (!machine.isAvailable()) {
            return machine;
        }
        String device = options.get(DEVICE).trim();
        if (device.isEmpty()) {
            return WdAvailability.unavailable(
                    DEVICE.name() + " is not set, so no device's IOMMU group can be opened",
                    "set " + DEVICE.name() + "=<bdf> of a device bound to vfio-pci, e.g. -D" + DEVICE.name()
                            + "=0000:00:03.0",
                    machine.details().toArray(String[]::new));
        }
        String group;
        try {
            group = VfioContainer.groupOf(environment.resolve("sys"), device);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return WdAvailability.unavailable(
                    e.getMessage(),
                    "bind the device to vfio-pci and set " + DEVICE.name() + " to its PCI address",
                    machine.details().toArray(String[]::new));
        }
        if (!Files.exists(environment.resolve("dev/vfio").resolve(group))) {
            return WdAvailability.unavailable(
                    "device=" + device + " is in IOMMU group " + group + ", but /dev/vfio/" + group + " is missing",
                    "check that every device of group " + group + " is bound to vfio-pci",
                    machine.details().toArray(String[]::new));
        }
        return WdAvailability.available(
                "vfio groups=" + String.join(",", groupsOf(environment)), "device=" + device + " group=" + group);
    }

    private static List<String> groupsOf(WdEnvironment environment) {
        return entries(environment.resolve("dev/vfio")).stream()
                .filter(n -> n.matches("[0-9]+"))
                .toList();
    }

    private static List<String> entries(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Opens the container and group of {@link #DEVICE}.
     *
     * @throws IllegalArgumentException if the device option is unset or names no PCI device, the
     *     IOVA mode is unknown, or {@code [iova.base, iova.limit)} leaves no usable IOVA
     * @throws IllegalStateException naming the fix: not bound to vfio-pci, no IOMMU group, group not viable
     * @throws dev.wdmm.api.WdNativeException if a VFIO call fails
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        options.requireKnown("wd.mm.vfio.", options());
        String device = options.get(DEVICE).trim();
        if (device.isEmpty()) {
            throw new IllegalArgumentException(
                    DEVICE.name() + " is not set: give the PCI address (BDF) of the device bound"
                            + " to vfio-pci, e.g. -D" + DEVICE.name() + "=0000:00:03.0");
        }
        IovaMode mode = IovaMode.of(options.get(IOVA_MODE));
        long base = options.get(IOVA_BASE);
        long limit = options.get(IOVA_LIMIT);
        IovaAllocator.over(base, limit); // the options' own rules, before anything is opened
        VfioContainer container = VfioContainer.open(Path.of("/sys"), device);
        IovaAllocator iovas;
        try {
            iovas = mode == IovaMode.VA
                    ? null
                    : IovaAllocator.over(container.info().ranges(), base, limit);
        } catch (RuntimeException e) {
            container.close();
            throw e;
        }
        return VfioBridge.over(container, iovas, options.get(LIMIT_BYTES));
    }
}
