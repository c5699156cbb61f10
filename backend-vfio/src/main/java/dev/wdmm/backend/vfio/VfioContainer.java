package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.memory.nativeio.Vfio;
import dev.wdmm.memory.nativeio.VfioIommuInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A VFIO container (type1 v2 IOMMU) with the group of one device attached, that device's fd, and
 * what the kernel said about the container's IOMMU when it was opened (usable IOVA ranges,
 * {@code dma_avail}). The ioctls are wd-memory's ({@link Vfio}). Every failure to open says what
 * to fix. Thread-safe after {@link #open}: map and unmap are single ioctls on the container, which
 * the kernel serialises.
 */
final class VfioContainer implements Container {
    private final String device;
    private final int container;
    private final int group;
    private final int deviceFd;
    private final VfioIommuInfo info;

    private VfioContainer(String device, int container, int group, int deviceFd, VfioIommuInfo info) {
        this.device = device;
        this.container = container;
        this.group = group;
        this.deviceFd = deviceFd;
        this.info = info;
    }

    /** Opens the container and group of {@code bdf} as seen under {@code sysfs} (normally /sys). */
    static VfioContainer open(Path sysfs, String bdf) {
        String groupName = groupOf(sysfs, bdf);
        int container = -1;
        int group = -1;
        try {
            container = Vfio.openContainer();
            group = openGroup(bdf, groupName);
            Vfio.attach(group, container, true);
            VfioIommuInfo info = Vfio.iommuInfo(container);
            int fd = Vfio.deviceFd(group, bdf);
            return new VfioContainer(bdf, container, group, fd, info);
        } catch (RuntimeException e) {
            Vfio.close(group);
            Vfio.close(container);
            throw e;
        }
    }

    /**
     * Reads the IOMMU info of a container holding {@code groupName} alone, and closes it again;
     * the device itself is not opened (no reset).
     *
     * @throws RuntimeException as {@link #open} does
     */
    static VfioIommuInfo probe(String groupName) {
        int container = -1;
        int group = -1;
        try {
            container = Vfio.openContainer();
            group = Vfio.openGroup(groupName);
            Vfio.attach(group, container, true);
            return Vfio.iommuInfo(container);
        } finally {
            Vfio.close(group);
            Vfio.close(container);
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

    private static int openGroup(String bdf, String groupName) {
        try {
            return Vfio.openGroup(groupName);
        } catch (WdNativeException | IllegalStateException e) {
            throw new IllegalStateException(
                    "group=" + groupName + " of device=" + bdf + " cannot be used: " + e.getMessage(), e);
        }
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public int deviceFd() {
        return deviceFd;
    }

    @Override
    public VfioIommuInfo info() {
        return info;
    }

    @Override
    public void map(long vaddr, long iova, long size) {
        Vfio.mapDma(container, vaddr, iova, size);
    }

    @Override
    public long unmap(long iova, long size) {
        return Vfio.unmapDma(container, iova, size);
    }

    @Override
    public void close() {
        Vfio.close(deviceFd);
        Vfio.close(group);
        Vfio.close(container);
    }
}
