/**
 * Memory building blocks for backends: ownership tracking of allocations
 * ({@link dev.wdmm.core.memory.AllocationRegistry}), and the translation structures that later
 * issues add. Every public class here documents its thread-safety.
 */
package dev.wdmm.core.memory;
