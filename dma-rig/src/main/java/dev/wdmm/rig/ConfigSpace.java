package dev.wdmm.rig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The PCI configuration space of one device as a window of a file: sysfs {@code config}, or the
 * config region of a VFIO device file at its region offset. Not thread-safe.
 */
record ConfigSpace(int fd, long base) {

    /** Reads the 16-bit register at {@code offset}. */
    int read16(int offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2);
            Posix.pread(fd, buffer, base + offset);
            return Short.toUnsignedInt(buffer.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0));
        }
    }

    /** Writes the 16-bit register at {@code offset}. */
    void write16(int offset, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(2);
            buffer.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) value);
            Posix.pwrite(fd, buffer, base + offset);
        }
    }

    /** Turns on memory decoding and bus mastering; returns the command register as read back. */
    int enableBusMaster() {
        int command = read16(EduRegisters.PCI_COMMAND);
        write16(EduRegisters.PCI_COMMAND, command | EduRegisters.COMMAND_MEMORY | EduRegisters.COMMAND_BUS_MASTER);
        return read16(EduRegisters.PCI_COMMAND);
    }
}
