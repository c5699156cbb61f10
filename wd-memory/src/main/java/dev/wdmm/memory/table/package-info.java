/**
 * Memory building blocks for backends: ownership tracking of allocations
 * ({@link dev.wdmm.memory.table.AllocationRegistry}), O(1) lock-free page-to-owner lookups
 * ({@link dev.wdmm.memory.table.PageDirectory}) and lock-free VA → IOVA translation of
 * registered regions ({@link dev.wdmm.memory.table.TranslationTable}). Every public class here
 * documents its thread-safety.
 */
package dev.wdmm.memory.table;
