/**
 * The hugepage backend: {@link dev.wdmm.backend.hugepage.HugepageBackendProvider} (name
 * {@code hugepage}) opens a {@link dev.wdmm.backend.hugepage.HugepageBridge}, a general allocator
 * over populated {@code MAP_HUGETLB} pages held in place by long-term pins. Small sizes are carved in power-of-two size
 * classes from huge pages held per thread stripe, large sizes get runs of whole huge pages; each
 * huge page's physical address is read once from pagemap and kept in a
 * {@link dev.wdmm.memory.table.TranslationTable}, so mapping any address inside an allocation is a
 * table lookup without a system call. Everything else in this package is package-private.
 */
package dev.wdmm.backend.hugepage;
