/**
 * The {@code noiommu} backend: {@link dev.wdmm.backend.noiommu.NoIommuBackendProvider} and the
 * package-private bridge it opens (wd-memory's chunk allocator over 2 MiB chunks of pinned pages,
 * IOVA = physical address from pagemap, frame numbers read once per chunk).
 */
package dev.wdmm.backend.noiommu;
