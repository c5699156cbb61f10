package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdNativeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A VFIO container (type1 v2 IOMMU) with the group of one device attached, and that device's fd.
 * Every failure to open says what to fix. Thread-safe after {@link #open}: map and unmap are single
 * ioctls on the container, which the kernel serialises.
 */
final class VfioContainer implements AutoCloseable {
    private static final long GET_API_VERSION = 0x3B64;
    private static final long CHECK_EXTENSION = 0x3B65;
    private static final long SET_IOMMU = 0x3B66;
    private static final long GROUP_GET_STATUS = 0x3B67;
    private static final long GROUP_SET_CONTAINER = 0x3B68;
    private static final long GROUP_GET_DEVICE_FD = 0x3B6A;
    private static final long IOMMU_MAP_DMA = 0x3B71;
    private static final long IOMMU_UNMAP_DMA = 0x3B72;
    private static final int TYPE1V2 = 3;
    private static final int VIABLE = 1;
    private static final int READ_WRITE = 3;

    private final String device;
    private final int container;
    private final int group;
    private final int deviceFd;

    private VfioContainer(String device, int container, int group, int deviceFd) {
        this.device = device;
        this.container = container;
        this.group = group;
        this.deviceFd = deviceFd;
    }

    /** Opens the container and group of {@code bdf} as seen under {@code sysfs} (normally /sys). */
    static VfioContainer open(Path sysfs, String bdf) {
        String groupName = groupOf(sysfs, bdf);
        int container = -1;
        int group = -1;
        try {
            container = openContainer();
            group = openGroup(sysfs, bdf, groupName);
            try (Arena arena = Arena.ofConfined()) {
                VfioNative.ioctl(
                        group,
                        GROUP_SET_CONTAINER,
                        arena.allocateFrom(ValueLayout.JAVA_INT, container),
                        "VFIO_GROUP_SET_CONTAINER(group=" + groupName + ")");
                VfioNative.ioctl(container, SET_IOMMU, TYPE1V2, "VFIO_SET_IOMMU(TYPE1v2)");
                int fd = VfioNative.ioctl(
                        group, GROUP_GET_DEVICE_FD, arena.allocateFrom(bdf), "VFIO_GROUP_GET_DEVICE_FD(" + bdf + ")");
                return new VfioContainer(bdf, container, group, fd);
            }
        } catch (RuntimeException e) {
            VfioNative.close(group);
            VfioNative.close(container);
            throw e;
        }
    }

    /** The IOMMU group of {@code bdf}, after checking the device exists and is bound to vfio-pci. */
    static String groupOf(Path sysfs, String bdf) {
        Path dir = sysfs.resolve("bus/pci/devices").resolve(bdf);
        if (bdf.isEmpty() || bdf.contains("/") || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(VfioBackendProvider.DEVICE.name() + "=" + bdf
                    + " must name a PCI device under " + dir.getParent() + " (a BDF such as 0000:00:03.0)");
        }
        String driver = linkName(dir.resolve("driver"));
        if (!"vfio-pci".equals(driver)) {
            throw new IllegalStateException("device=" + bdf + " is bound to driver="
                    + (driver == null ? "none" : driver)
                    + ", not vfio-pci; fix: modprobe vfio-pci; echo vfio-pci > " + dir.resolve("driver_override")
                    + (driver == null ? "" : "; echo " + bdf + " > " + dir.resolve("driver/unbind"))
                    + "; echo " + bdf + " > /sys/bus/pci/drivers_probe");
        }
        String group = linkName(dir.resolve("iommu_group"));
        if (group == null) {
            throw new IllegalStateException("device=" + bdf + " has no IOMMU group; fix: enable the IOMMU "
                    + "(intel_iommu=on or amd_iommu=on on the kernel command line)");
        }
        return group;
    }

    private static String linkName(Path link) {
        try {
            return Files.readSymbolicLink(link).getFileName().toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static int openContainer() {
        int fd = VfioNative.open("/dev/vfio/vfio");
        try {
            int version = VfioNative.ioctl(fd, GET_API_VERSION, 0L, "VFIO_GET_API_VERSION");
            if (version != 0) {
                throw new IllegalStateException("VFIO api version=" + version + " must be 0");
            }
            if (VfioNative.ioctl(fd, CHECK_EXTENSION, TYPE1V2, "VFIO_CHECK_EXTENSION(TYPE1v2)") != 1) {
                throw new IllegalStateException("VFIO has no type1 v2 IOMMU; fix: modprobe vfio_iommu_type1");
            }
            return fd;
        } catch (RuntimeException e) {
            VfioNative.close(fd);
            throw e;
        }
    }

    private static int openGroup(Path sysfs, String bdf, String groupName) {
        int fd;
        try {
            fd = VfioNative.open("/dev/vfio/" + groupName);
        } catch (WdNativeException e) {
            String fix = e.errno() == VfioNative.EBUSY
                    ? "another process holds the group; close it first"
                    : e.errno() == VfioNative.EACCES || e.errno() == VfioNative.EPERM
                            ? "give this user access: chown $USER /dev/vfio/" + groupName
                            : "bind device=" + bdf + " to vfio-pci (modprobe vfio-pci)";
            throw new IllegalStateException(
                    "group=" + groupName + " of device=" + bdf + " cannot be opened: " + e.getMessage() + "; fix: "
                            + fix,
                    e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(8);
            status.set(ValueLayout.JAVA_INT, 0, 8);
            VfioNative.ioctl(fd, GROUP_GET_STATUS, status, "VFIO_GROUP_GET_STATUS(group=" + groupName + ")");
            if ((status.get(ValueLayout.JAVA_INT, 4) & VIABLE) == 0) {
                throw new IllegalStateException("group=" + groupName + " is not viable: every device of it must be "
                        + "bound to vfio-pci or unbound; fix: bind " + members(sysfs, groupName) + " to vfio-pci");
            }
            return fd;
        } catch (RuntimeException e) {
            VfioNative.close(fd);
            throw e;
        }
    }

    private static String members(Path sysfs, String group) {
        try (Stream<Path> devices =
                Files.list(sysfs.resolve("kernel/iommu_groups").resolve(group).resolve("devices"))) {
            return devices.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(" "));
        } catch (IOException e) {
            return "the devices of /sys/kernel/iommu_groups/" + group + "/devices";
        }
    }

    String device() {
        return device;
    }

    int deviceFd() {
        return deviceFd;
    }

    /** VFIO_IOMMU_MAP_DMA of {@code [vaddr, vaddr+size)} at {@code iova}, read and write. */
    void map(long vaddr, long iova, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment map = arena.allocate(32);
            map.set(ValueLayout.JAVA_INT, 0, 32);
            map.set(ValueLayout.JAVA_INT, 4, READ_WRITE);
            map.set(ValueLayout.JAVA_LONG, 8, vaddr);
            map.set(ValueLayout.JAVA_LONG, 16, iova);
            map.set(ValueLayout.JAVA_LONG, 24, size);
            VfioNative.ioctl(
                    container,
                    IOMMU_MAP_DMA,
                    map,
                    "VFIO_IOMMU_MAP_DMA(vaddr=0x" + Long.toHexString(vaddr) + " iova=0x" + Long.toHexString(iova)
                            + " size=" + size + ")");
        } catch (WdNativeException e) {
            if (e.errno() == VfioNative.ENOMEM) {
                throw new WdNativeException(
                        e.call(),
                        e.errno(),
                        e.getMessage() + "; the pinned pages exceed the "
                                + "memlock limit: fix: ulimit -l unlimited (LimitMEMLOCK=infinity), or CAP_IPC_LOCK");
            }
            throw e;
        }
    }

    /** VFIO_IOMMU_UNMAP_DMA of {@code [iova, iova+size)}. */
    void unmap(long iova, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unmap = arena.allocate(24);
            unmap.set(ValueLayout.JAVA_INT, 0, 24);
            unmap.set(ValueLayout.JAVA_LONG, 8, iova);
            unmap.set(ValueLayout.JAVA_LONG, 16, size);
            VfioNative.ioctl(
                    container,
                    IOMMU_UNMAP_DMA,
                    unmap,
                    "VFIO_IOMMU_UNMAP_DMA(iova=0x" + Long.toHexString(iova) + " size=" + size + ")");
        }
    }

    @Override
    public void close() {
        VfioNative.close(deviceFd);
        VfioNative.close(group);
        VfioNative.close(container);
    }
}
