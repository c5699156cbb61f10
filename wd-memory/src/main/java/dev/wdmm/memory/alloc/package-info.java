/**
 * One allocator for every backend: a {@link dev.wdmm.memory.alloc.ChunkSource} says how to acquire,
 * hold in place, translate and release chunks of memory (huge pages, pinned 4 KiB pages, plain
 * anonymous memory...), and a {@link dev.wdmm.memory.alloc.ChunkAllocator} carves allocations from
 * them: power-of-two size classes carved from chunks in striped bins behind lock-free per-thread
 * caches, a run of its own for anything larger than the largest class, empty chunks kept or given
 * back by policy ({@link dev.wdmm.memory.alloc.AllocatorSettings}), O(1) ownership and IOVA
 * lookups of any address, and no Java garbage on the address API.
 *
 * <p><b>Lifetime:</b> every segment handed out is a slice of its chunk's mapping, so releasing
 * the chunk (an empty chunk given back, a run freed, the allocator closed) makes any later access
 * through it throw {@link java.lang.IllegalStateException} instead of touching memory that is no
 * longer mapped. Access after {@code free} to memory whose chunk is still held reaches that memory
 * (it stays mapped and owned by the allocator; the JVM cannot crash from it).
 */
package dev.wdmm.memory.alloc;
