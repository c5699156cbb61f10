/**
 * The sva backend: {@link dev.wdmm.backend.sva.SvaBackendProvider} and its package-private
 * bridge, which hands out native memory and maps every byte of it to its own virtual address.
 */
package dev.wdmm.backend.sva;
