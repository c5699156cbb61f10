package dev.wdmm.rig;

import dev.wdmm.api.WdMmBridge;

/**
 * Issue 16's DMA proofs for a library backend: constrained allocations ({@link ConstraintTrip}) and
 * an SGL from a list of the caller's buffers ({@link BufferListTrip}). Prints the constrained
 * trip's {@code INFO} lines (allowed refusals) and returns the fields for the subject's PASS line.
 */
final class Issue16Trips {
    private Issue16Trips() {}

    /**
     * Runs both trips; throws {@link RigException} on the first wrong byte or address.
     *
     * @return {@code " constrained=<n> constrained-refused=<k> buffer-list-entries=<m> issue16-bytes=<b>"}
     */
    static String check(EduDevice edu, DmaSubject subject, WdMmBridge bridge, long seed) {
        boolean physical = !"TRANSLATED".equals(subject.mode());
        RawPagemap pagemap = physical ? RawPagemap.open() : null;
        try {
            ConstraintTrip constrained = new ConstraintTrip(edu, subject, pagemap);
            constrained.check(subject.name(), bridge, seed);
            constrained.notes().forEach(System.out::println);
            BufferListTrip list = new BufferListTrip(edu, subject);
            list.check(subject.name(), bridge, seed + 100);
            return " constrained=" + constrained.proven() + " constrained-refused="
                    + constrained.notes().size()
                    + " buffer-list-entries=" + list.entries() + " issue16-bytes="
                    + (constrained.bytes() + list.bytes());
        } finally {
            if (pagemap != null) {
                pagemap.close();
            }
        }
    }
}
