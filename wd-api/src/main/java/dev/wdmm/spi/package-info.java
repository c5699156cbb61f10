/**
 * The backend SPI: what a third party implements to add a way of getting DMA memory.
 *
 * <p>A backend is a {@link dev.wdmm.spi.WdBackendProvider} found through
 * {@link java.util.ServiceLoader}: declare it with {@code provides dev.wdmm.spi.WdBackendProvider
 * with ...} in {@code module-info.java} <em>and</em> list it in
 * {@code META-INF/services/dev.wdmm.spi.WdBackendProvider}, so that it is found on the module
 * path and on the class path alike. The provider has a stable name (what users write in
 * configuration), the modes it serves, a priority, an availability check that explains itself,
 * and a factory that opens a {@link dev.wdmm.api.WdMmBridge} from typed
 * {@link dev.wdmm.spi.WdOptions}. {@link dev.wdmm.spi.WdArguments} gives the argument checks
 * with the project's standard messages, so that every backend refuses bad input alike.
 */
package dev.wdmm.spi;
