/**
 * The implementation behind {@code dev.wdmm.core}: the sysfs detector, the robust
 * {@code ServiceLoader} run, the selector and the queue. Not exported; reached only through
 * {@link dev.wdmm.core.internal.Internals}.
 */
package dev.wdmm.core.internal;
