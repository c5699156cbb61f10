/**
 * The wd-mm core: backend discovery through {@link java.util.ServiceLoader}, IOMMU mode
 * detection, backend selection, Guice wiring, the queue, and the building blocks a backend
 * author reuses (native calls and pagemap, the chunk allocator, ownership registry, translation
 * table, block pool, SGL pools, the huge page region source).
 */
// Guice 7 ships no module-info (its jar names itself com.google.guice): the one automatic module
// wd-core's API exposes (WdMmModule is an AbstractModule), so applications must read it
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.wdmm.core {
    requires transitive dev.wdmm.api;
    requires transitive com.google.guice;
    requires jakarta.inject;

    exports dev.wdmm.core;
    exports dev.wdmm.core.alloc;
    exports dev.wdmm.core.guice;
    exports dev.wdmm.core.memory;
    exports dev.wdmm.core.nativeio;
    exports dev.wdmm.core.pool;
    exports dev.wdmm.core.region;
    exports dev.wdmm.core.sgl;

    // Guice calls the module's @Provides methods reflectively
    opens dev.wdmm.core.guice to
            com.google.guice;

    uses dev.wdmm.spi.WdBackendProvider;
}
