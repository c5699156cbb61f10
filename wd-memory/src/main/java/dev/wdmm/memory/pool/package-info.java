/**
 * The block pool (UADK's {@code wd_bmm}): fixed-size DMA blocks carved from a queue's reserved
 * region or from a bridge's memory, runs of adjacent DMA-contiguous blocks for larger sizes
 * (O(blocks) per run), with O(1) IOVA of interior addresses and single-block alloc/free that
 * scale across threads without Java garbage ({@link dev.wdmm.memory.pool.BlockPool}).
 */
package dev.wdmm.memory.pool;
