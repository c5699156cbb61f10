/**
 * JMH suites comparing the wd-mm backends with each other and with Java peers.
 *
 * <p>One class per operation group, so the structure stays obvious as suites are added:
 * <ul>
 *   <li>{@link dev.wdmm.bench.AllocFreeBench}: {@code alloc} + {@code free} through each backend's
 *       bridge, 64 B to 1 MiB, one and two threads;</li>
 *   <li>{@link dev.wdmm.bench.AllocFreePeersBench}: the same work done by
 *       {@code ByteBuffer.allocateDirect}, {@code Arena} (confined, shared) and Netty's pooled and
 *       adaptive direct allocators;</li>
 *   <li>{@link dev.wdmm.bench.MapBench}: {@code iovaMap} of interior addresses over a working set
 *       larger than the caches and the TLB, sequential and shuffled, one and two threads.</li>
 * </ul>
 * Backends are found by name through {@link java.util.ServiceLoader} ({@link dev.wdmm.bench.Backends});
 * one that is absent or unavailable fails its benchmark in {@code @Setup} with the reason. The C
 * peer (DPDK) lives in {@code benchmarks/dpdk/}; {@code benchmarks/run.sh} runs everything and
 * {@link dev.wdmm.bench.report.Report} turns the results into Markdown, JSON and SVG.
 *
 * <p>New suites (block pool, SGL, pagemap) follow the same pattern: a {@code *Bench} class with
 * {@code @Param backend}, optional peer classes, and one line in the report's group table.
 */
package dev.wdmm.bench;
