package dev.wdmm.rig;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Drives the DMA engine of one {@code edu} device through its mapped BAR0. The device address given
 * for RAM is whatever the caller says it is (a physical address or an IOVA): proving that address is
 * the point. Not thread-safe: one transfer at a time.
 */
final class EduDevice implements AutoCloseable {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final MemorySegment bar0;
    private final Runnable release;
    private long transfers;

    private EduDevice(MemorySegment bar0, Runnable release) {
        this.bar0 = bar0;
        this.release = release;
    }

    /** Wraps a mapped BAR0 (at least 4 KiB); checks the identification register and the liveness check. */
    static EduDevice over(MemorySegment bar0, Runnable release) {
        if (bar0.byteSize() < 4096) {
            throw new IllegalArgumentException("bar0 size=" + bar0.byteSize() + " must be >= 4096");
        }
        EduDevice device = new EduDevice(bar0, release);
        int id = bar0.get(ValueLayout.JAVA_INT, EduRegisters.IDENTIFICATION);
        if (!EduRegisters.isEdu(id)) {
            device.close();
            throw new RigException("identification=0x" + Integer.toHexString(id) + " is not an edu device");
        }
        bar0.set(ValueLayout.JAVA_INT, EduRegisters.LIVENESS, 0x12345678);
        int echoed = bar0.get(ValueLayout.JAVA_INT, EduRegisters.LIVENESS);
        if (echoed != ~0x12345678) {
            device.close();
            throw new RigException("liveness=0x" + Integer.toHexString(echoed) + " must be the inverse of 0x12345678");
        }
        return device;
    }

    /** Copies {@code length} bytes from RAM at device address {@code ramAddress} into the device buffer. */
    void toDevice(long ramAddress, int offset, int length) {
        EduRegisters.checkTransfer(offset, length);
        run(ramAddress, EduRegisters.BUFFER_ADDRESS + offset, length, EduRegisters.command(false));
    }

    /** Copies {@code length} bytes from the device buffer to RAM at device address {@code ramAddress}. */
    void toRam(int offset, long ramAddress, int length) {
        EduRegisters.checkTransfer(offset, length);
        run(EduRegisters.BUFFER_ADDRESS + offset, ramAddress, length, EduRegisters.command(true));
    }

    /** Transfers done so far. */
    long transfers() {
        return transfers;
    }

    private void run(long source, long destination, int length, long command) {
        awaitIdle("before");
        bar0.set(ValueLayout.JAVA_LONG, EduRegisters.DMA_SOURCE, source);
        bar0.set(ValueLayout.JAVA_LONG, EduRegisters.DMA_DESTINATION, destination);
        bar0.set(ValueLayout.JAVA_LONG, EduRegisters.DMA_COUNT, length);
        bar0.set(ValueLayout.JAVA_LONG, EduRegisters.DMA_COMMAND, command);
        awaitIdle("after");
        transfers++;
    }

    private void awaitIdle(String when) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while ((bar0.get(ValueLayout.JAVA_LONG, EduRegisters.DMA_COMMAND) & EduRegisters.COMMAND_RUN) != 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new RigException("edu DMA still running " + when + " a transfer after 10 s");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RigException("interrupted while waiting for the edu DMA", e);
            }
        }
    }

    @Override
    public void close() {
        release.run();
    }
}
