/**
 * Scatter-gather lists (UADK's {@code wd_sgl}) with the HiSilicon QM hardware layout: SGL pools
 * over a block pool ({@link dev.wdmm.memory.sgl.SglPool}), the hardware image
 * ({@link dev.wdmm.memory.sgl.HwSgl}), and a builder that describes memory that is not physically
 * contiguous as one entry per contiguous piece ({@link dev.wdmm.memory.sgl.ContiguousSgl}).
 */
package dev.wdmm.memory.sgl;
