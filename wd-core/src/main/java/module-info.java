/**
 * The wd-mm core: backend discovery through {@link java.util.ServiceLoader}, IOMMU mode
 * detection, configuration, backend selection, the facade, the queue and the Guice wiring: the
 * application runtime. The building blocks backends are made of (native calls, pagemap, the chunk
 * allocator, tables, block pool, SGL, region sources) live in {@code dev.wdmm.memory}, which
 * needs no Guice.
 */
// Guice 7 ships no module-info (its jar names itself com.google.guice): the one automatic module
// wd-core's API exposes (WdMmModule is an AbstractModule), so applications must read it
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.wdmm.core {
    requires transitive dev.wdmm.api;
    requires transitive com.google.guice;
    requires jakarta.inject;
    requires dev.wdmm.memory;
    requires jdk.jfr;

    exports dev.wdmm.core;
    exports dev.wdmm.core.guice;

    // Guice calls the module's @Provides methods reflectively
    opens dev.wdmm.core.guice to
            com.google.guice;

    uses dev.wdmm.spi.WdBackendProvider;
}
