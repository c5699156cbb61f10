package dev.wdmm.rig;

import java.lang.foreign.MemorySegment;

/**
 * What the check moves bytes through: a source of memory and of the device address of a range of it
 * (a backend of the library, or the rig's own reference implementation). Not thread-safe.
 */
interface DmaSubject extends AutoCloseable {

    /** The name printed on the PASS/FAIL line. */
    String name();

    /** The address mode printed on the PASS/FAIL line. */
    String mode();

    /** Allocates {@code size} bytes of DMA-able memory. */
    MemorySegment alloc(long size);

    /** Frees memory from {@link #alloc}. */
    void free(MemorySegment segment);

    /** The device address of {@code [segment, segment+size)}; throws if the range has no single address. */
    long map(MemorySegment segment, long size);

    /** Undoes {@link #map}. */
    void unmap(MemorySegment segment, long iova, long size);

    @Override
    void close();
}
