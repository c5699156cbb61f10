package dev.wdmm.memory.sgl;

/**
 * One physically (or IOVA-) contiguous piece of a buffer: one SGL entry.
 *
 * @param va virtual address of the piece's first byte
 * @param iova device address of that byte; the piece is contiguous from there
 * @param length bytes, {@code 1 <= length <= 8 MiB}
 */
public record SglPiece(long va, long iova, long length) {}
