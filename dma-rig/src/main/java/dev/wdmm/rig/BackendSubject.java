package dev.wdmm.rig;

import dev.wdmm.api.WdDeviceAccess;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.nativeio.VfioMappings;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;

/** A library backend as a DMA subject: memory and IOVAs come from its bridge, nothing else. */
final class BackendSubject implements DmaSubject {
    private final String name;
    private final String mode;
    private final WdMmBridge bridge;
    private boolean closed;
    private long mapCalls;

    private BackendSubject(String name, String mode, WdMmBridge bridge) {
        this.name = name;
        this.mode = mode;
        this.bridge = bridge;
    }

    static BackendSubject open(WdBackendProvider provider, WdOptions options, String mode) {
        return open(provider.name(), provider, options, mode);
    }

    /** A subject printed as {@code name} (e.g. {@code vfio-va} for vfio with other options). */
    static BackendSubject open(String name, WdBackendProvider provider, WdOptions options, String mode) {
        return new BackendSubject(name, mode, provider.open(options));
    }

    /** The VFIO device fd a VFIO backend's bridge exposes to the device's driver. */
    static int vfioDeviceFd(WdMmBridge bridge) {
        return bridge.unwrap(WdDeviceAccess.class)
                .orElseThrow(
                        () -> new RigException("bridge=" + bridge.getClass().getName() + " exposes no device fd"))
                .deviceFd();
    }

    /** Whether the bridge maps memory into a VFIO container (kernel calls counted by {@link #kernelCalls()}). */
    boolean isVfio() {
        return bridge.unwrap(VfioMappings.class).isPresent();
    }

    WdMmBridge bridge() {
        return bridge;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mode() {
        return mode;
    }

    @Override
    public MemorySegment alloc(long size) {
        return bridge.alloc(size);
    }

    @Override
    public void free(MemorySegment segment) {
        bridge.free(segment);
    }

    @Override
    public long map(MemorySegment segment, long size) {
        mapCalls++;
        return bridge.iovaMap(segment, size);
    }

    /**
     * For a VFIO bridge, its kernel calls so far ({@code vfio-map-ioctls=<n> vfio-chunks=<k>
     * iova-maps=<m> ...}), after checking that it made at most one {@code VFIO_IOMMU_MAP_DMA} per
     * chunk acquired and fewer than the rig's {@code iovaMap} calls; empty for other bridges.
     *
     * @throws RigException if the bridge mapped more often than it acquired chunks, or per map call
     */
    String kernelCalls() {
        VfioMappings vfio = bridge.unwrap(VfioMappings.class).orElse(null);
        if (vfio == null) {
            return "";
        }
        VfioMappings.Statistics stats = vfio.statistics();
        String line = "vfio-map-ioctls=" + stats.mapIoctls() + " vfio-chunks=" + stats.chunksAcquired()
                + " iova-maps=" + mapCalls + " vfio-unmap-ioctls=" + stats.unmapIoctls() + " kernel-mappings="
                + stats.kernelMappings() + " adjacent-chunks=" + stats.adjacentChunks() + " dma-avail-at-open="
                + vfio.iommuInfo().dmaAvailable() + " iova-mode=" + stats.iovaMode();
        if (stats.mapIoctls() > stats.chunksAcquired() || stats.mapIoctls() >= mapCalls) {
            throw new RigException("the VFIO bridge made more VFIO_IOMMU_MAP_DMA calls than it acquired chunks, or one"
                    + " per iovaMap: " + line);
        }
        return line;
    }

    /**
     * For a VFIO bridge after close: its final counters ({@code INFO} line), checked: every mapping
     * it made was unmapped again.
     *
     * @throws RigException if a kernel mapping is left
     */
    String afterClose() {
        VfioMappings vfio = bridge.unwrap(VfioMappings.class).orElse(null);
        if (vfio == null) {
            return "";
        }
        VfioMappings.Statistics stats = vfio.statistics();
        if (stats.kernelMappings() != 0 || stats.unmapIoctls() != stats.chunksAcquired()) {
            throw new RigException("the closed VFIO bridge left kernel mappings: " + stats);
        }
        return stats + " " + vfio.iommuInfo().describe();
    }

    @Override
    public void unmap(MemorySegment segment, long iova, long size) {
        bridge.iovaUnmap(segment, iova, size);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bridge.close();
        }
    }
}
