/**
 * The report generator: reads JMH's JSON and the DPDK peer's JSON lines from one run and writes
 * {@code report.md} (ns/op per operation with the ratio against the best peer, B/op from
 * {@code -prof gc}, and SPEC 7's targets met or not), {@code report.json} and one SVG bar chart
 * per operation group. Entry point: {@link dev.wdmm.bench.report.Report#main}.
 */
package dev.wdmm.bench.report;
