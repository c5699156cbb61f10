/**
 * The {@code passthrough} backend: {@link dev.wdmm.backend.passthrough.PassthroughBackendProvider}
 * serves {@code PASSTHROUGH} and {@code NO_IOMMU} with a bridge whose memory is a
 * {@link dev.wdmm.memory.pool.BlockPool} over a reserved region of physically contiguous huge page
 * slices, and supplies the same region source to queues ({@code WdQueue.reserveMemory}).
 */
package dev.wdmm.backend.passthrough;
