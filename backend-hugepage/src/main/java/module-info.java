/**
 * The hugepage backend of wd-mm: a general allocator over {@code MAP_HUGETLB} pages whose IOVAs
 * are physical addresses, translated in O(1) for any interior address. Nothing is exported: the
 * bridge's extras ({@link dev.wdmm.api.WdAddressAccess}, {@link dev.wdmm.api.WdContiguity}) are
 * reached through {@code WdMmBridge.unwrap}.
 */
module dev.wdmm.backend.hugepage {
    requires dev.wdmm.memory;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.hugepage.HugepageBackendProvider;
}
