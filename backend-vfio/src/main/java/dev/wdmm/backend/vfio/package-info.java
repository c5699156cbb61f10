/**
 * The VFIO backend: {@link dev.wdmm.backend.vfio.VfioBackendProvider} (name {@code vfio}, mode
 * {@code TRANSLATED}) and {@link dev.wdmm.backend.vfio.WdVfioBridge}, the bridge's view for the
 * device's driver (the VFIO device file descriptor, to reach its regions).
 */
package dev.wdmm.backend.vfio;
