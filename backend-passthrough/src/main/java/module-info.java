/**
 * The passthrough backend of wd-mm: per-queue reserved memory from huge pages, carved into
 * fixed-size DMA blocks, and runs of adjacent physically contiguous blocks for larger sizes, by
 * wd-memory's block pool (UADK's reserved-memory model).
 */
module dev.wdmm.backend.passthrough {
    // the exported provider's bridge(WdQueue, BlockPoolSetup) takes wd-api and wd-memory types: its readers need both
    requires transitive dev.wdmm.memory;

    exports dev.wdmm.backend.passthrough;

    provides dev.wdmm.spi.WdBackendProvider with
            dev.wdmm.backend.passthrough.PassthroughBackendProvider;
}
