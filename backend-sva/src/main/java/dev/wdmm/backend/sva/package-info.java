/**
 * The sva backend: {@link dev.wdmm.backend.sva.SvaBackendProvider} and its package-private
 * bridge, which carves allocations from 2 MiB chunks of anonymous memory (wd-memory's chunk
 * allocator) and maps every byte of them to its own virtual address.
 */
package dev.wdmm.backend.sva;
