/**
 * The wd-mm API: what applications and third-party backend authors compile against.
 *
 * <p>{@code dev.wdmm.api} holds the user-facing types ({@link dev.wdmm.api.WdMmBridge},
 * {@link dev.wdmm.api.WdDtb}, {@link dev.wdmm.api.WdBufferType}, {@link dev.wdmm.api.WdQueue},
 * {@link dev.wdmm.api.IommuMode} and the exceptions); {@code dev.wdmm.spi} holds the backend SPI
 * found through {@link java.util.ServiceLoader}. This module depends on nothing but the JDK.
 */
module dev.wdmm.api {
    exports dev.wdmm.api;
    exports dev.wdmm.spi;
}
