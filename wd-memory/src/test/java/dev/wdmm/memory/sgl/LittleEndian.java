package dev.wdmm.memory.sgl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads little-endian fields byte by byte, independently of the code under test. */
final class LittleEndian {
    private LittleEndian() {}

    static long read(MemorySegment segment, long offset, int bytes) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value |= (segment.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFFL) << (8 * i);
        }
        return value;
    }

    static boolean zero(MemorySegment segment, long offset, long bytes) {
        for (long i = 0; i < bytes; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, offset + i) != 0) {
                return false;
            }
        }
        return true;
    }
}
