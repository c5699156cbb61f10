package dev.wdmm.memory.sgl;

/**
 * The setup of an {@link SglPool}: UADK v1's {@code struct wd_sglpool_setup} without its
 * {@code buf_num} (here every buffer belongs to an SGL; spare buffers are the block pool's
 * business). Immutable; the constructor enforces UADK v1's limits and the hardware's.
 *
 * @param sglCount SGLs in the pool: 1 to 2048
 * @param entriesPerSgl entry capacity of each SGL ({@code sge_num_in_sgl}): 1 to 60
 * @param buffersPerSgl buffers bound to each SGL ({@code buf_num_in_sgl}): 1 to {@code entriesPerSgl}
 * @param bufferSize bytes per buffer: 2048 to 8 MiB (the hardware's entry limit)
 * @param alignment buffer alignment: a power of two, 8 to 2048
 */
public record SglPoolSetup(int sglCount, int entriesPerSgl, int buffersPerSgl, long bufferSize, long alignment) {
    /** UADK v1's most SGLs per pool. */
    public static final int MAX_SGLS = 2048;
    /** UADK v1's most entries per SGL. */
    public static final int MAX_ENTRIES = 60;
    /** UADK v1's smallest buffer. */
    public static final long MIN_BUFFER_SIZE = 2048;
    /** Smallest alignment. */
    public static final long MIN_ALIGNMENT = 8;
    /** Largest alignment. */
    public static final long MAX_ALIGNMENT = 2048;

    /**
     * Checks the setup.
     *
     * @throws IllegalArgumentException naming the first bad value and its rule
     */
    public SglPoolSetup {
        if (sglCount < 1 || sglCount > MAX_SGLS) {
            throw new IllegalArgumentException("sglCount=" + sglCount + " must be in [1, " + MAX_SGLS + "]");
        }
        if (entriesPerSgl < 1 || entriesPerSgl > MAX_ENTRIES) {
            throw new IllegalArgumentException(
                    "entriesPerSgl=" + entriesPerSgl + " must be in [1, " + MAX_ENTRIES + "]");
        }
        if (buffersPerSgl < 1 || buffersPerSgl > entriesPerSgl) {
            throw new IllegalArgumentException(
                    "buffersPerSgl=" + buffersPerSgl + " must be in [1, entriesPerSgl=" + entriesPerSgl + "]");
        }
        if (bufferSize < MIN_BUFFER_SIZE || bufferSize > HwSgl.MAX_ENTRY_LENGTH) {
            throw new IllegalArgumentException("bufferSize=" + bufferSize + " must be in [" + MIN_BUFFER_SIZE + ", "
                    + HwSgl.MAX_ENTRY_LENGTH + "]");
        }
        if (alignment < MIN_ALIGNMENT || alignment > MAX_ALIGNMENT || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment=" + alignment + " must be a power of two in [" + MIN_ALIGNMENT
                    + ", " + MAX_ALIGNMENT + "]");
        }
    }

    /**
     * Data bytes one SGL holds: {@code buffersPerSgl * bufferSize}.
     *
     * @return bytes
     */
    public long sglBytes() {
        return buffersPerSgl * bufferSize;
    }

    /**
     * Bytes of one SGL's hardware image.
     *
     * @return {@code 64 + 32 * entriesPerSgl}
     */
    public long imageBytes() {
        return HwSgl.imageBytes(entriesPerSgl);
    }

    /**
     * Blocks an SGL pool takes from its block pool: one image and {@code buffersPerSgl} buffers
     * per SGL.
     *
     * @return blocks
     */
    public int blocksNeeded() {
        return sglCount * (buffersPerSgl + 1);
    }
}
