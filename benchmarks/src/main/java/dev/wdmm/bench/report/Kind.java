package dev.wdmm.bench.report;

/** Who produced a result: wd-mm itself, or a peer it is compared with. */
enum Kind {
    /** A wd-mm backend or building block. */
    WDMM("wd-mm", "#1f77b4"),
    /** A Java allocator an application uses today. */
    JAVA_PEER("Java peer", "#ff7f0e"),
    /** DPDK, in C. */
    C_PEER("C peer (DPDK)", "#2ca02c");

    final String label;
    final String color;

    Kind(String label, String color) {
        this.label = label;
        this.color = color;
    }

    boolean isPeer() {
        return this != WDMM;
    }
}
