package dev.wdmm.backend.vfio;

import dev.wdmm.api.WdMmBridge;

/**
 * The bridge of the VFIO backend. Besides memory and IOVAs it gives the device's driver what only
 * the owner of the VFIO group can give: the device's file descriptor (regions, config space, IRQs),
 * since a group can be opened once. Thread-safe like every bridge.
 */
public interface WdVfioBridge extends WdMmBridge {

    /**
     * The PCI address of the device this bridge maps memory for.
     *
     * @return the BDF, e.g. {@code 0000:00:03.0}
     */
    String device();

    /**
     * The VFIO device file descriptor, owned by the bridge and closed by {@link #close()}.
     *
     * @return the fd
     * @throws dev.wdmm.api.WdClosedException after close
     */
    int deviceFd();
}
