/**
 * The conformance kit for wd-mm backends. One entry class per kind of contract, each named
 * {@code ...Test} so that Surefire's default includes run it, each holding its JUnit tests and its
 * jqwik properties together (a backend cannot lose half a contract to a naming pattern):
 *
 * <ul>
 *   <li>{@link dev.wdmm.tck.WdMmBridgeContractTest}: every rule of {@link dev.wdmm.api.WdMmBridge},
 *       bad input as properties, a single-thread churn, a concurrent churn, and every IOVA and
 *       every {@link dev.wdmm.api.WdContiguity} claim checked against an {@link dev.wdmm.tck.IovaOracle};
 *   <li>{@link dev.wdmm.tck.CheckedBridgeContractTest}: the same in checked mode, plus use after free;
 *   <li>{@link dev.wdmm.tck.WdQueueContractTest}: the rules of {@link dev.wdmm.api.WdQueue};
 *   <li>{@link dev.wdmm.tck.WdRegionSourceContractTest}: the rules of {@link dev.wdmm.spi.WdRegionSource};
 *   <li>{@link dev.wdmm.tck.WdBackendProviderContractTest}: the rules of
 *       {@link dev.wdmm.spi.WdBackendProvider} (name, both service declarations, availability that
 *       never throws, unknown options refused, open and close);
 *   <li>{@link dev.wdmm.tck.WdMmBridgeCampaign}: a long model-checked random campaign.
 * </ul>
 *
 * <p>Addresses in every message are hexadecimal ({@code 0x...}). A test the machine cannot run (an
 * oracle that needs {@code CAP_SYS_ADMIN}, a backend that is unavailable here) is skipped loudly: it
 * prints {@code SKIPPED Class.method: reason; fix: fix} to stdout and aborts through a JUnit
 * assumption ({@link dev.wdmm.tck.Skip}).
 */
package dev.wdmm.tck;
