/**
 * The wd-mm building blocks, on wd-api and the JDK alone (no Guice): the one native layer
 * (libc, pagemap, long-term pins, the VFIO ioctls' structs), the chunk allocator and its chunk
 * source SPI, the ownership registry and translation tables, the block pool, SGL pools and the
 * huge page region source. Backends are built from these; a third party may reuse any of them
 * without the application runtime of {@code dev.wdmm.core}.
 *
 * <p>The module makes restricted (native) calls: run with
 * {@code --enable-native-access=dev.wdmm.memory} on the module path or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path.
 */
module dev.wdmm.memory {
    requires transitive dev.wdmm.api;
    requires jdk.jfr;

    exports dev.wdmm.memory.alloc;
    exports dev.wdmm.memory.events;
    exports dev.wdmm.memory.nativeio;
    exports dev.wdmm.memory.pool;
    exports dev.wdmm.memory.region;
    exports dev.wdmm.memory.sgl;
    exports dev.wdmm.memory.table;
}
