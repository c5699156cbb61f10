package dev.wdmm.spi;

import java.lang.foreign.MemorySegment;

/**
 * Argument checks with the project's standard messages ({@code size=0 must be > 0}), for every
 * backend to refuse bad input alike. Stateless and thread-safe. Every method throws before
 * anything is touched.
 */
public final class WdArguments {
    private WdArguments() {}

    /**
     * Requires {@code value > 0}.
     *
     * @param name the argument name for the message
     * @param value the value
     * @return the value
     * @throws IllegalArgumentException {@code name=value must be > 0}
     */
    public static long requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + "=" + value + " must be > 0");
        }
        return value;
    }

    /**
     * Requires a non-null native segment.
     *
     * @param name the argument name for the message
     * @param segment the segment
     * @return the segment
     * @throws NullPointerException {@code name is null}
     * @throws IllegalArgumentException if the segment is on the Java heap
     */
    public static MemorySegment requireNative(String name, MemorySegment segment) {
        if (segment == null) {
            throw new NullPointerException(name + " is null");
        }
        if (!segment.isNative()) {
            throw new IllegalArgumentException(
                    name + "=" + segment + " must be a native segment (heap memory has no device address)");
        }
        return segment;
    }

    /**
     * Requires that {@code segment} is native, {@code size > 0}, {@code size <= segment.byteSize()}
     * and that {@code address + size} does not wrap.
     *
     * @param segment start of the range
     * @param size bytes
     * @throws NullPointerException if the segment is null
     * @throws IllegalArgumentException naming the violated rule and the values
     */
    public static void requireRange(MemorySegment segment, long size) {
        requireNative("segment", segment);
        requirePositive("size", size);
        long address = segment.address();
        if (Long.compareUnsigned(address + size, address) < 0) {
            throw new IllegalArgumentException("va=" + hex(address) + " size=" + size + " wraps the address space");
        }
        if (size > segment.byteSize()) {
            throw new IllegalArgumentException(
                    "va=" + hex(address) + " size=" + size + " must be <= segment.byteSize()=" + segment.byteSize());
        }
    }

    /**
     * Checks the IOVA handed to {@code iovaUnmap} against the one {@code iovaMap} gives for the
     * same range.
     *
     * @param va start of the range
     * @param size bytes in the range
     * @param iova the IOVA the caller passed
     * @param expected the IOVA the range maps to
     * @throws IllegalArgumentException if they differ, naming the range and both IOVAs
     */
    public static void requireMatchingIova(long va, long size, long iova, long expected) {
        if (iova != expected) {
            throw new IllegalArgumentException("iova=" + hex(iova) + " does not match va=" + hex(va) + " size=" + size
                    + ", which maps to iova=" + hex(expected));
        }
    }

    /**
     * Formats an address as {@code 0x...}.
     *
     * @param value an address
     * @return lower-case hexadecimal with {@code 0x}
     */
    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
