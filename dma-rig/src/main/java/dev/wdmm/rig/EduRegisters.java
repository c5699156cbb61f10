package dev.wdmm.rig;

/**
 * The register map of QEMU's {@code edu} device (hw/misc/edu.c) and the rules its DMA engine
 * enforces, as pure functions so they can be checked on a host without the device.
 *
 * <p>BAR0 holds 32-bit registers below 0x80 and 64-bit DMA registers from 0x80: source, destination,
 * count, command. The device's own buffer sits at device address {@link #BUFFER_ADDRESS}; QEMU 7.2
 * aborts the whole guest on a transfer that leaves {@code [0x40000, 0x40000 + 4096)} and its range
 * check is off by one, so a transfer must end strictly before the last byte: {@code offset + length <= 4095}.
 */
final class EduRegisters {
    static final long IDENTIFICATION = 0x00;
    static final long LIVENESS = 0x04;
    static final long DMA_SOURCE = 0x80;
    static final long DMA_DESTINATION = 0x88;
    static final long DMA_COUNT = 0x90;
    static final long DMA_COMMAND = 0x98;
    static final long BUFFER_ADDRESS = 0x40000;
    static final int BUFFER_LIMIT = 4095;
    static final long COMMAND_RUN = 0x1;
    static final long COMMAND_TO_RAM = 0x2;
    static final int VENDOR = 0x1234;
    static final int DEVICE = 0x11e8;
    static final int PCI_COMMAND = 0x04;
    static final int COMMAND_MEMORY = 0x2;
    static final int COMMAND_BUS_MASTER = 0x4;

    private EduRegisters() {}

    /** The command that starts a transfer from RAM into the device ({@code toRam=false}) or back. */
    static long command(boolean toRam) {
        return COMMAND_RUN | (toRam ? COMMAND_TO_RAM : 0);
    }

    /** True when the identification register reads as an edu device (major 1, 0xed in the low byte). */
    static boolean isEdu(int identification) {
        return (identification & 0xff) == 0xed && (identification >>> 24) == 1;
    }

    /**
     * Checks a transfer against the device buffer before any register is written.
     *
     * @throws IllegalArgumentException naming the values when {@code length} is not in [1, 4095]
     *         or {@code offset + length > 4095}
     */
    static void checkTransfer(int offset, int length) {
        if (length < 1 || length > BUFFER_LIMIT) {
            throw new IllegalArgumentException("length=" + length + " must be in [1, " + BUFFER_LIMIT + "]");
        }
        if (offset < 0 || offset > BUFFER_LIMIT - length) {
            throw new IllegalArgumentException("offset=" + offset + " length=" + length
                    + " must satisfy 0 <= offset and offset + length <= " + BUFFER_LIMIT);
        }
    }
}
