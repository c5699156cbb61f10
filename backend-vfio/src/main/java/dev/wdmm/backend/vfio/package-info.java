/**
 * The VFIO backend: {@link dev.wdmm.backend.vfio.VfioBackendProvider} (name {@code vfio}, mode
 * {@code TRANSLATED}) opens a bridge that offers {@link dev.wdmm.api.WdDeviceAccess} (the VFIO
 * device file descriptor, for the device's driver to reach its regions) through
 * {@code WdMmBridge.unwrap}. Everything but the provider is package-private, and the package is
 * not exported.
 */
package dev.wdmm.backend.vfio;
