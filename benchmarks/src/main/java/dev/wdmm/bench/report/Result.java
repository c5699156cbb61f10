package dev.wdmm.bench.report;

/**
 * One measured operation.
 *
 * @param group operation group, such as {@code alloc+free}
 * @param variant the parameters other than the backend, such as {@code size=4096}
 * @param threads benchmark threads
 * @param impl who did the work: {@code wd-mm sva}, {@code nettyPooled}, {@code rte_malloc_free}
 * @param kind wd-mm or a peer
 * @param nsPerOp mean time per operation in nanoseconds
 * @param error half-width of the 99.9% confidence interval, NaN when unknown
 * @param bytesPerOp Java heap bytes allocated per operation ({@code gc.alloc.rate.norm}), NaN when not measured
 * @param source the benchmark's own name
 */
record Result(
        String group,
        String variant,
        int threads,
        String impl,
        Kind kind,
        double nsPerOp,
        double error,
        double bytesPerOp,
        String source) {

    /** The key that results compared with each other share. */
    String operation() {
        return group + " | " + variant + " | " + threads + (threads == 1 ? " thread" : " threads");
    }
}
