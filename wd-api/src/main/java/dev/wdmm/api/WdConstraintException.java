package dev.wdmm.api;

/**
 * A {@link WdConstrainedAlloc#alloc constrained allocation} was refused: the bridge could not find
 * memory meeting a constraint of the request. The message names the request, the constraint, how
 * many candidates were tried and what the machine gave instead (the longest IOVA-contiguous range
 * found, the lowest IOVA end found, ...), with a fix where there is one. Nothing was kept.
 */
public class WdConstraintException extends WdAllocationException {
    private static final long serialVersionUID = 1L;

    /** The constraint that could not be met. */
    public enum Constraint {
        /** The first byte's IOVA is not a multiple of the alignment. */
        ALIGNMENT,
        /** The IOVA range crosses a multiple of the boundary. */
        BOUNDARY,
        /** Some byte's IOVA is above the DMA mask. */
        MAX_IOVA,
        /** The allocation is not one IOVA range. */
        CONTIGUOUS
    }

    /** What was asked. */
    private final transient WdAllocRequest request;
    /** What could not be met. */
    private final Constraint constraint;
    /** What the machine gave instead, in bytes or as an IOVA; see {@link #offered()}. */
    private final long offered;

    /**
     * Creates the exception.
     *
     * @param request what was asked
     * @param constraint the constraint not met
     * @param offered what the machine gave instead (see {@link #offered()})
     * @param message the whole message, {@code key=value} style
     */
    public WdConstraintException(WdAllocRequest request, Constraint constraint, long offered, String message) {
        super(request.size(), message);
        this.request = request;
        this.constraint = constraint;
        this.offered = offered;
    }

    /**
     * The request that was refused.
     *
     * @return the request
     */
    public WdAllocRequest request() {
        return request;
    }

    /**
     * The constraint that could not be met.
     *
     * @return the constraint
     */
    public Constraint constraint() {
        return constraint;
    }

    /**
     * What the machine gave instead: for {@link Constraint#CONTIGUOUS} the longest IOVA-contiguous
     * range found (bytes), for {@link Constraint#MAX_IOVA} the lowest last-byte IOVA found, for
     * {@link Constraint#ALIGNMENT} the largest power of two that divided a first-byte IOVA found,
     * for {@link Constraint#BOUNDARY} 0.
     *
     * @return bytes or an IOVA as above
     */
    public long offered() {
        return offered;
    }
}
