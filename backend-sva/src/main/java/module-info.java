/**
 * The sva backend of wd-mm: identity mapping (IOVA == virtual address) over native memory, for
 * devices that share the process's page tables (SVA/PASID). Found through
 * {@link java.util.ServiceLoader} as the provider named {@code sva}.
 */
module dev.wdmm.backend.sva {
    requires dev.wdmm.memory;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.sva.SvaBackendProvider;
}
