/**
 * The wd-mm user API: DMA-capable memory and its device address (IOVA).
 *
 * <p>The Java home of the WarpDrive "General Memory Interfaces": {@link dev.wdmm.api.WdMmBridge}
 * is {@code struct wd_mm_br} ({@code wd_alloc}, {@code wd_free}, {@code wd_map},
 * {@code wd_unmap}), {@link dev.wdmm.api.WdDtb} is {@code struct wd_dtb},
 * {@link dev.wdmm.api.WdBufferType} is {@code enum wd_buff_type} and {@link dev.wdmm.api.WdQueue}
 * carries {@code wd_iova_map}/{@code wd_iova_unmap}. Every type here is either immutable or
 * documented as safe for concurrent use; bad input always raises a specific exception whose
 * message names the value and the rule, and never changes state the caller does not own.
 */
package dev.wdmm.api;
