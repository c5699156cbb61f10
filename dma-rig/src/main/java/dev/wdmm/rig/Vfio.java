package dev.wdmm.rig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The VFIO ioctls the rig uses ({@code linux/vfio.h}: type ';', numbers from 100), on file
 * descriptors the caller owns. Stateless and thread-safe.
 */
final class Vfio {
    static final long GET_API_VERSION = 0x3B64;
    static final long CHECK_EXTENSION = 0x3B65;
    static final long SET_IOMMU = 0x3B66;
    static final long GROUP_GET_STATUS = 0x3B67;
    static final long GROUP_SET_CONTAINER = 0x3B68;
    static final long GROUP_GET_DEVICE_FD = 0x3B6A;
    static final long DEVICE_GET_REGION_INFO = 0x3B6C;
    static final long IOMMU_MAP_DMA = 0x3B71;
    static final long IOMMU_UNMAP_DMA = 0x3B72;
    static final int API_VERSION = 0;
    static final int TYPE1V2_IOMMU = 3;
    static final int GROUP_FLAGS_VIABLE = 1;
    static final int BAR0_REGION = 0;
    static final int CONFIG_REGION = 7;
    static final int DMA_READ_WRITE = 3;

    private Vfio() {}

    /** A region of a VFIO device: where it sits in the device file and how big it is. */
    record Region(int index, long offset, long size, int flags) {}

    /** Opens {@code /dev/vfio/vfio}, checks the API version and the type1 v2 IOMMU; returns the container fd. */
    static int openContainer() {
        int container = Posix.open("/dev/vfio/vfio", Posix.O_RDWR);
        try {
            int version = Posix.ioctl(container, GET_API_VERSION, 0L, "VFIO_GET_API_VERSION");
            if (version != API_VERSION) {
                throw new RigException("VFIO api version=" + version + " must be " + API_VERSION);
            }
            if (Posix.ioctl(container, CHECK_EXTENSION, TYPE1V2_IOMMU, "VFIO_CHECK_EXTENSION(TYPE1v2)") != 1) {
                throw new RigException("VFIO container has no type1 v2 IOMMU: boot with intel_iommu=on");
            }
            return container;
        } catch (RuntimeException e) {
            Posix.closeQuietly(container);
            throw e;
        }
    }

    /** Opens group {@code group}, checks it is viable, attaches it to {@code container}, sets type1 v2. */
    static int attachGroup(int container, String group) {
        int fd = Posix.open("/dev/vfio/" + group, Posix.O_RDWR);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(8);
            status.set(ValueLayout.JAVA_INT, 0, 8);
            Posix.ioctl(fd, GROUP_GET_STATUS, status, "VFIO_GROUP_GET_STATUS(group=" + group + ")");
            if ((status.get(ValueLayout.JAVA_INT, 4) & GROUP_FLAGS_VIABLE) == 0) {
                throw new RigException("group=" + group + " is not viable: bind every device of "
                        + "/sys/kernel/iommu_groups/" + group + "/devices to vfio-pci");
            }
            MemorySegment containerFd = arena.allocateFrom(ValueLayout.JAVA_INT, container);
            Posix.ioctl(fd, GROUP_SET_CONTAINER, containerFd, "VFIO_GROUP_SET_CONTAINER(group=" + group + ")");
            Posix.ioctl(container, SET_IOMMU, TYPE1V2_IOMMU, "VFIO_SET_IOMMU(TYPE1v2)");
            return fd;
        } catch (RuntimeException e) {
            Posix.closeQuietly(fd);
            throw e;
        }
    }

    /** Returns the device fd of {@code bdf} in an attached group. */
    static int deviceFd(int group, String bdf) {
        try (Arena arena = Arena.ofConfined()) {
            return Posix.ioctl(
                    group, GROUP_GET_DEVICE_FD, arena.allocateFrom(bdf), "VFIO_GROUP_GET_DEVICE_FD(" + bdf + ")");
        }
    }

    /** Reads the region info of region {@code index} of a device. */
    static Region region(int device, int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(32);
            info.set(ValueLayout.JAVA_INT, 0, 32);
            info.set(ValueLayout.JAVA_INT, 8, index);
            Posix.ioctl(device, DEVICE_GET_REGION_INFO, info, "VFIO_DEVICE_GET_REGION_INFO(index=" + index + ")");
            return new Region(
                    index,
                    info.get(ValueLayout.JAVA_LONG, 24),
                    info.get(ValueLayout.JAVA_LONG, 16),
                    info.get(ValueLayout.JAVA_INT, 4));
        }
    }

    /** Maps {@code [vaddr, vaddr+size)} at {@code iova} for device reads and writes. */
    static void mapDma(int container, long vaddr, long iova, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment map = arena.allocate(32);
            map.set(ValueLayout.JAVA_INT, 0, 32);
            map.set(ValueLayout.JAVA_INT, 4, DMA_READ_WRITE);
            map.set(ValueLayout.JAVA_LONG, 8, vaddr);
            map.set(ValueLayout.JAVA_LONG, 16, iova);
            map.set(ValueLayout.JAVA_LONG, 24, size);
            Posix.ioctl(
                    container,
                    IOMMU_MAP_DMA,
                    map,
                    "VFIO_IOMMU_MAP_DMA(vaddr=0x" + Long.toHexString(vaddr) + " iova=0x" + Long.toHexString(iova)
                            + " size=" + size + ")");
        }
    }

    /** Unmaps {@code [iova, iova+size)}. */
    static void unmapDma(int container, long iova, long size) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unmap = arena.allocate(24);
            unmap.set(ValueLayout.JAVA_INT, 0, 24);
            unmap.set(ValueLayout.JAVA_LONG, 8, iova);
            unmap.set(ValueLayout.JAVA_LONG, 16, size);
            Posix.ioctl(
                    container,
                    IOMMU_UNMAP_DMA,
                    unmap,
                    "VFIO_IOMMU_UNMAP_DMA(iova=0x" + Long.toHexString(iova) + " size=" + size + ")");
        }
    }
}
