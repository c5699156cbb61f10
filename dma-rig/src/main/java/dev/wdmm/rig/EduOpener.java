package dev.wdmm.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Finds the edu device in sysfs and opens it through sysfs (physical addresses) or a VFIO device fd. */
final class EduOpener {
    private static final Path DEVICES = Path.of("/sys/bus/pci/devices");

    private EduOpener() {}

    /** The PCI address (BDF) of the first edu device, or a clear error if the guest has none. */
    static String findBdf() {
        try (Stream<Path> devices = Files.list(DEVICES)) {
            return devices.filter(EduOpener::isEdu)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .findFirst()
                    .orElseThrow(() -> new RigException("no edu device (vendor=0x1234 device=0x11e8) under " + DEVICES
                            + ": start QEMU with -device edu,dma_mask=0xffffffffffffffff"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isEdu(Path device) {
        try {
            return Integer.decode(Files.readString(device.resolve("vendor")).trim()) == EduRegisters.VENDOR
                    && Integer.decode(Files.readString(device.resolve("device")).trim()) == EduRegisters.DEVICE;
        } catch (IOException e) {
            return false;
        }
    }

    /** The IOMMU group number of {@code bdf}, or an error saying the guest has no IOMMU. */
    static String iommuGroup(String bdf) {
        Path link = DEVICES.resolve(bdf).resolve("iommu_group");
        try {
            return Files.readSymbolicLink(link).getFileName().toString();
        } catch (IOException e) {
            throw new RigException(link + " is missing: boot the guest with intel_iommu=on and -device intel-iommu", e);
        }
    }

    /** Opens BAR0 through sysfs {@code resource0} and enables bus mastering through sysfs {@code config}. */
    static EduDevice throughSysfs(String bdf) {
        Path dir = DEVICES.resolve(bdf);
        int config = Posix.open(dir.resolve("config").toString(), Posix.O_RDWR);
        int resource = -1;
        try {
            new ConfigSpace(config, 0).enableBusMaster();
            resource = Posix.open(dir.resolve("resource0").toString(), Posix.O_RDWR);
            MemorySegment bar0 = Posix.mmap(4096, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_SHARED, resource, 0);
            int resourceFd = resource;
            return EduDevice.over(bar0, () -> {
                Posix.munmap(bar0);
                Posix.closeQuietly(resourceFd);
                Posix.closeQuietly(config);
            });
        } catch (RuntimeException e) {
            Posix.closeQuietly(resource);
            Posix.closeQuietly(config);
            throw e;
        }
    }

    /** Opens BAR0 and config through the regions of a VFIO device fd; the caller keeps owning the fd. */
    static EduDevice throughVfio(int deviceFd) {
        Vfio.Region config = Vfio.region(deviceFd, Vfio.CONFIG_REGION);
        new ConfigSpace(deviceFd, config.offset()).enableBusMaster();
        Vfio.Region bar = Vfio.region(deviceFd, Vfio.BAR0_REGION);
        MemorySegment bar0 =
                Posix.mmap(4096, Posix.PROT_READ | Posix.PROT_WRITE, Posix.MAP_SHARED, deviceFd, bar.offset());
        return EduDevice.over(bar0, () -> Posix.munmap(bar0));
    }
}
