/**
 * The hugepage backend of wd-mm: a general allocator over {@code MAP_HUGETLB} pages whose IOVAs
 * are physical addresses, translated in O(1) for any interior address.
 */
module dev.wdmm.backend.hugepage {
    // exported HugepageBridge extends WdMmBridge (wd-api) and PhysicalContiguity (wd-memory): its readers need both
    requires transitive dev.wdmm.memory;

    exports dev.wdmm.backend.hugepage;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.hugepage.HugepageBackendProvider;
}
