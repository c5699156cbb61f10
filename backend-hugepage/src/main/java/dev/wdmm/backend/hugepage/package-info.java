/**
 * The hugepage backend: {@link dev.wdmm.backend.hugepage.HugepageBackendProvider} (name
 * {@code hugepage}) opens a bridge (offering {@link dev.wdmm.api.WdAddressAccess} and
 * {@link dev.wdmm.api.WdContiguity} through {@code unwrap}), a general allocator
 * over populated {@code MAP_HUGETLB} pages held in place by long-term pins. Small sizes are carved in power-of-two size
 * classes from huge pages held per thread stripe, large sizes get runs of whole huge pages; each
 * huge page's physical address is read once from pagemap and kept in a
 * {@link dev.wdmm.memory.table.TranslationTable}, so mapping any address inside an allocation is a
 * table lookup without a system call. Everything but the provider is package-private, and the package is not exported.
 */
package dev.wdmm.backend.hugepage;
