/**
 * The DMA rig: a small user-space driver for QEMU's {@code edu} PCI device and {@link dev.wdmm.rig.DmaCheck},
 * the program that runs inside the rig's guest and moves real bytes through every IOVA a backend gives.
 *
 * <p>Used only by the rig ({@code rig/run.sh}) and demos; nothing here is part of the library's API.
 */
package dev.wdmm.rig;
