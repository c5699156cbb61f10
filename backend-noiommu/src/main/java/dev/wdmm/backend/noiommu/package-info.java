/**
 * The {@code noiommu} backend: {@link dev.wdmm.backend.noiommu.NoIommuBackendProvider} and the
 * package-private bridge it opens (pinned pages, IOVA = physical address from pagemap, frame
 * numbers cached per allocation).
 */
package dev.wdmm.backend.noiommu;
