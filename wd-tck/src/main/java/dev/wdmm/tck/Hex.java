package dev.wdmm.tck;

/** Addresses in messages: {@code 0x} and lower-case hexadecimal, as everywhere in wd-mm. */
final class Hex {
    private Hex() {}

    static String of(long value) {
        return "0x" + Long.toHexString(value);
    }
}
