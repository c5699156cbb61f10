package dev.wdmm.api;

/**
 * A bridge capability of bridges that own the device they map memory for (the VFIO backend): what
 * only the owner of a VFIO group can give the device's driver, the device's file descriptor
 * (regions, config space, IRQs), since a group can be opened once. Obtain it with
 * {@code bridge.unwrap(WdDeviceAccess.class)}.
 *
 * <p><b>Thread-safety:</b> as the bridge: may be called from many threads at once.
 */
public interface WdDeviceAccess {

    /**
     * The PCI address of the device the bridge maps memory for.
     *
     * @return the BDF, e.g. {@code 0000:00:03.0}
     */
    String device();

    /**
     * The device's file descriptor, owned by the bridge and closed by its {@code close()}; the
     * caller must not close it.
     *
     * @return the fd
     * @throws WdClosedException after the bridge is closed
     */
    int deviceFd();
}
