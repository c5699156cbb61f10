/**
 * An example third-party wd-mm backend, written against wd-api alone: memory from a file mapped
 * page by page, device addresses from a configured IOVA window. Declared both ways (here and in
 * {@code META-INF/services}) so it works on the module path and the class path.
 */
module com.example.filemap {
    requires dev.wdmm.api;

    provides dev.wdmm.spi.WdBackendProvider with
            com.example.filemap.FileMapBackendProvider;
}
