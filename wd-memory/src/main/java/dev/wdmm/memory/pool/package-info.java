/**
 * The block pool (UADK's {@code wd_bmm}): fixed-size DMA blocks carved from a queue's reserved
 * region or from a bridge's memory, with O(1) IOVA of interior addresses and alloc/free that
 * scale across threads without Java garbage ({@link dev.wdmm.memory.pool.BlockPool}).
 */
package dev.wdmm.memory.pool;
