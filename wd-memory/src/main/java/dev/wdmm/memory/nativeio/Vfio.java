package dev.wdmm.memory.nativeio;

import static dev.wdmm.spi.WdArguments.hex;

import dev.wdmm.api.WdNativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The VFIO calls of wd-mm ({@code linux/vfio.h}, type1 v2 IOMMU) on file descriptors the caller
 * owns: open a container and a group, attach them, get a device's fd, read the IOMMU's info
 * (usable IOVA ranges, {@code dma_avail}), map and unmap DMA. The structs are declared once as
 * layouts; every argument is checked before the kernel sees it. Stateless and thread-safe (the
 * kernel serialises the calls on one container).
 *
 * <p>Failures are {@link WdNativeException}s naming the ioctl, its arguments, {@code errno},
 * {@code strerror} and, where there is one, the fix.
 */
public final class Vfio {
    /** {@code VFIO_TYPE1v2_IOMMU}. */
    static final int TYPE1V2_IOMMU = 3;
    /** {@code ENOSPC}: a container at its {@code dma_entry_limit}. */
    public static final int ENOSPC = 28;
    /** {@code ENOMEM}: pinning the pages would pass {@code RLIMIT_MEMLOCK}. */
    public static final int ENOMEM = NativeErrors.ENOMEM;

    private static final long GET_API_VERSION = 0x3B64;
    private static final long CHECK_EXTENSION = 0x3B65;
    private static final long SET_IOMMU = 0x3B66;
    private static final long GROUP_GET_STATUS = 0x3B67;
    private static final long GROUP_SET_CONTAINER = 0x3B68;
    private static final long GROUP_GET_DEVICE_FD = 0x3B6A;
    private static final long IOMMU_GET_INFO = 0x3B70;
    private static final long IOMMU_MAP_DMA = 0x3B71;
    private static final long IOMMU_UNMAP_DMA = 0x3B72;
    private static final int GROUP_FLAGS_VIABLE = 1;
    private static final int DMA_MAP_READ_WRITE = 3;
    private static final int O_RDWR_CLOEXEC = 0x80002;
    private static final long PAGE = 4096;

    private Vfio() {}

    /**
     * Opens {@code /dev/vfio/vfio} and checks the API version (0) and the type1 v2 IOMMU.
     *
     * @return the container fd, owned by the caller
     * @throws WdNativeException if it cannot be opened (the fix named: modprobe, permissions)
     * @throws IllegalStateException if the API version or the IOMMU type is not supported
     */
    public static int openContainer() {
        int fd = open("/dev/vfio/vfio", "modprobe vfio-pci; a non-root user needs read-write access to /dev/vfio/vfio");
        try {
            int version = ioctl(fd, GET_API_VERSION, 0L, "VFIO_GET_API_VERSION", null);
            if (version != 0) {
                throw new IllegalStateException("VFIO api version=" + version + " must be 0");
            }
            if (ioctl(fd, CHECK_EXTENSION, TYPE1V2_IOMMU, "VFIO_CHECK_EXTENSION(TYPE1v2)", null) != 1) {
                throw new IllegalStateException("VFIO has no type1 v2 IOMMU; fix: modprobe vfio_iommu_type1");
            }
            return fd;
        } catch (RuntimeException e) {
            close(fd);
            throw e;
        }
    }

    /**
     * Opens {@code /dev/vfio/<group>} and checks that the group is viable (every device of it bound
     * to vfio-pci or to no driver).
     *
     * @param group the IOMMU group number, e.g. {@code "7"}
     * @return the group fd, owned by the caller
     * @throws IllegalArgumentException if {@code group} is not a decimal number
     * @throws WdNativeException if it cannot be opened ({@code EBUSY}: held elsewhere; {@code EACCES})
     * @throws IllegalStateException if the group is not viable
     */
    public static int openGroup(String group) {
        if (group == null || !group.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("group=" + group + " must be an IOMMU group number such as 7");
        }
        int fd = open(
                "/dev/vfio/" + group,
                "bind the group's devices to vfio-pci; EBUSY: another process holds the group, close it first;"
                        + " EACCES: chown $USER /dev/vfio/" + group);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(VfioLayouts.GROUP_STATUS);
            VfioLayouts.GROUP_STATUS_ARGSZ.set(status, 0L, (int) VfioLayouts.GROUP_STATUS.byteSize());
            ioctl(fd, GROUP_GET_STATUS, status, "VFIO_GROUP_GET_STATUS(group=" + group + ")", null);
            if (((int) VfioLayouts.GROUP_STATUS_FLAGS.get(status, 0L) & GROUP_FLAGS_VIABLE) == 0) {
                throw new IllegalStateException("group=" + group + " is not viable: every device of it must be bound"
                        + " to vfio-pci or unbound; fix: bind /sys/kernel/iommu_groups/" + group
                        + "/devices/* to vfio-pci");
            }
            return fd;
        } catch (RuntimeException e) {
            close(fd);
            throw e;
        }
    }

    /**
     * Attaches a group to a container ({@code VFIO_GROUP_SET_CONTAINER}) and, for the first group
     * of the container, sets its IOMMU to type1 v2 ({@code VFIO_SET_IOMMU}).
     *
     * @param group a group fd from {@link #openGroup}
     * @param container a container fd from {@link #openContainer}
     * @param firstGroup whether the container has no group yet (then the IOMMU type is set)
     * @throws WdNativeException if the kernel refuses
     */
    public static void attach(int group, int container, boolean firstGroup) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment containerFd = arena.allocateFrom(ValueLayout.JAVA_INT, container);
            ioctl(
                    group,
                    GROUP_SET_CONTAINER,
                    containerFd,
                    "VFIO_GROUP_SET_CONTAINER(container=" + container + ")",
                    null);
        }
        if (firstGroup) {
            ioctl(container, SET_IOMMU, TYPE1V2_IOMMU, "VFIO_SET_IOMMU(TYPE1v2)", null);
        }
    }

    /**
     * The fd of a device of an attached group ({@code VFIO_GROUP_GET_DEVICE_FD}).
     *
     * @param group a group fd attached to a container
     * @param device the device's name in the group, for PCI its address ({@code 0000:00:03.0})
     * @return the device fd, owned by the caller
     * @throws WdNativeException if the kernel refuses
     */
    public static int deviceFd(int group, String device) {
        try (Arena arena = Arena.ofConfined()) {
            return ioctl(
                    group,
                    GROUP_GET_DEVICE_FD,
                    arena.allocateFrom(device),
                    "VFIO_GROUP_GET_DEVICE_FD(" + device + ")",
                    null);
        }
    }

    /**
     * Reads the container's IOMMU info ({@code VFIO_IOMMU_GET_INFO}), asking a second time with
     * a buffer as large as the kernel says its capability chain needs.
     *
     * @param container a container whose IOMMU type is set
     * @return the page sizes, the usable IOVA ranges and {@code dma_avail}
     * @throws WdNativeException if the kernel refuses
     */
    public static VfioIommuInfo iommuInfo(int container) {
        long bytes = VfioLayouts.IOMMU_INFO.byteSize();
        for (int attempt = 0; ; attempt++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = arena.allocate(bytes, 8);
                VfioLayouts.INFO_ARGSZ.set(info, 0L, (int) bytes);
                ioctl(container, IOMMU_GET_INFO, info, "VFIO_IOMMU_GET_INFO(argsz=" + bytes + ")", null);
                long wanted = Integer.toUnsignedLong((int) VfioLayouts.INFO_ARGSZ.get(info, 0L));
                if (wanted <= bytes || attempt == 2) {
                    // the kernel fills in at most the argsz it was given: read what fits
                    VfioLayouts.INFO_ARGSZ.set(info, 0L, (int) Math.min(wanted, bytes));
                    return VfioIommuInfo.parse(info);
                }
                bytes = wanted;
            }
        }
    }

    /**
     * Maps {@code [vaddr, vaddr + size)} at {@code iova} for device reads and writes
     * ({@code VFIO_IOMMU_MAP_DMA}); the kernel pins the pages for as long as the mapping lives.
     *
     * @param container the container fd
     * @param vaddr page-aligned start of memory this process has mapped
     * @param iova page-aligned IOVA inside a usable range
     * @param size bytes, {@code > 0}, a multiple of 4096
     * @throws IllegalArgumentException if an argument is not page-aligned or the ranges wrap
     * @throws WdNativeException if the kernel refuses: {@link #ENOSPC} (the container's
     *     {@code dma_entry_limit}) and {@link #ENOMEM} ({@code RLIMIT_MEMLOCK}) name their fix
     */
    public static void mapDma(int container, long vaddr, long iova, long size) {
        checkRange("vaddr", vaddr, size);
        checkRange("iova", iova, size);
        String call = "VFIO_IOMMU_MAP_DMA(vaddr=" + hex(vaddr) + " iova=" + hex(iova) + " size=" + size + ")";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment map = arena.allocate(VfioLayouts.DMA_MAP);
            VfioLayouts.DMA_MAP_ARGSZ.set(map, 0L, (int) VfioLayouts.DMA_MAP.byteSize());
            VfioLayouts.DMA_MAP_FLAGS.set(map, 0L, DMA_MAP_READ_WRITE);
            VfioLayouts.DMA_MAP_VADDR.set(map, 0L, vaddr);
            VfioLayouts.DMA_MAP_IOVA.set(map, 0L, iova);
            VfioLayouts.DMA_MAP_SIZE.set(map, 0L, size);
            ioctl(container, IOMMU_MAP_DMA, map, call, Vfio::mapFix);
        }
    }

    /**
     * Unmaps {@code [iova, iova + size)} ({@code VFIO_IOMMU_UNMAP_DMA}); type1 v2 refuses to split
     * a mapping, so the range must cover whole mappings.
     *
     * @param container the container fd
     * @param iova page-aligned start of a mapping
     * @param size bytes, {@code > 0}, a multiple of 4096
     * @return the bytes the kernel unmapped
     * @throws IllegalArgumentException if an argument is not page-aligned or the range wraps
     * @throws WdNativeException if the kernel refuses
     */
    public static long unmapDma(int container, long iova, long size) {
        checkRange("iova", iova, size);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unmap = arena.allocate(VfioLayouts.DMA_UNMAP);
            VfioLayouts.DMA_UNMAP_ARGSZ.set(unmap, 0L, (int) VfioLayouts.DMA_UNMAP.byteSize());
            VfioLayouts.DMA_UNMAP_IOVA.set(unmap, 0L, iova);
            VfioLayouts.DMA_UNMAP_SIZE.set(unmap, 0L, size);
            ioctl(
                    container,
                    IOMMU_UNMAP_DMA,
                    unmap,
                    "VFIO_IOMMU_UNMAP_DMA(iova=" + hex(iova) + " size=" + size + ")",
                    null);
            return (long) VfioLayouts.DMA_UNMAP_SIZE.get(unmap, 0L);
        }
    }

    /**
     * Closes a VFIO fd; a negative fd is ignored, a failure is not reported (nothing to undo).
     *
     * @param fd the fd, or a negative number
     */
    public static void close(int fd) {
        if (fd >= 0) {
            LibC.close(LibC.errnoSlot(), fd);
        }
    }

    private static void checkRange(String name, long start, long size) {
        if (size <= 0
                || (size & (PAGE - 1)) != 0
                || (start & (PAGE - 1)) != 0
                || Long.compareUnsigned(start + size - 1, start) < 0) {
            throw new IllegalArgumentException(name + "=" + hex(start) + " size=" + size
                    + " must be 4096-aligned with a positive multiple of 4096 bytes that does not wrap");
        }
    }

    private static String mapFix(int errno) {
        return switch (errno) {
            case ENOSPC ->
                "the container holds its dma_entry_limit of mappings (/sys/module/vfio_iommu_type1/parameters/"
                        + "dma_entry_limit); unmap some, or load vfio_iommu_type1 with a larger dma_entry_limit";
            case ENOMEM ->
                "the pinned pages exceed RLIMIT_MEMLOCK: ulimit -l unlimited (LimitMEMLOCK=infinity),"
                        + " or CAP_IPC_LOCK";
            default -> null;
        };
    }

    private static int open(String path, String fix) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = LibC.errnoSlot();
            int fd = LibC.open(slot, arena.allocateFrom(path), O_RDWR_CLOEXEC, 0);
            if (fd < 0) {
                throw NativeErrors.failure("open(path=" + path + ", flags=O_RDWR|O_CLOEXEC)", LibC.errno(slot), fix);
            }
            return fd;
        }
    }

    private static int ioctl(int fd, long request, MemorySegment argument, String call, ErrnoFix fix) {
        MemorySegment slot = LibC.errnoSlot();
        int result = LibC.ioctl(slot, fd, request, argument);
        if (result < 0) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(call, errno, fix == null ? null : fix.of(errno));
        }
        return result;
    }

    private static int ioctl(int fd, long request, long value, String call, ErrnoFix fix) {
        MemorySegment slot = LibC.errnoSlot();
        int result = LibC.ioctl(slot, fd, request, value);
        if (result < 0) {
            int errno = LibC.errno(slot);
            throw NativeErrors.failure(call, errno, fix == null ? null : fix.of(errno));
        }
        return result;
    }

    /** The fix for an errno, or null. */
    @FunctionalInterface
    private interface ErrnoFix {
        String of(int errno);
    }
}
