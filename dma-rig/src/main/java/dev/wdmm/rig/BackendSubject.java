package dev.wdmm.rig;

import dev.wdmm.api.WdDeviceAccess;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.MemorySegment;

/** A library backend as a DMA subject: memory and IOVAs come from its bridge, nothing else. */
final class BackendSubject implements DmaSubject {
    private final String name;
    private final String mode;
    private final WdMmBridge bridge;
    private boolean closed;

    private BackendSubject(String name, String mode, WdMmBridge bridge) {
        this.name = name;
        this.mode = mode;
        this.bridge = bridge;
    }

    static BackendSubject open(WdBackendProvider provider, WdOptions options, String mode) {
        return new BackendSubject(provider.name(), mode, provider.open(options));
    }

    /** The VFIO device fd a VFIO backend's bridge exposes to the device's driver. */
    static int vfioDeviceFd(WdMmBridge bridge) {
        return bridge.unwrap(WdDeviceAccess.class)
                .orElseThrow(
                        () -> new RigException("bridge=" + bridge.getClass().getName() + " exposes no device fd"))
                .deviceFd();
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
        return bridge.iovaMap(segment, size);
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
