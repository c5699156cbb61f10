/**
 * Memory building blocks for backends: ownership tracking of allocations
 * ({@link dev.wdmm.core.memory.AllocationRegistry}) and lock-free VA → IOVA translation of
 * registered regions ({@link dev.wdmm.core.memory.TranslationTable}). Every public class here
 * documents its thread-safety.
 */
package dev.wdmm.core.memory;
