package dev.wdmm.backend.noiommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdContiguity;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdRegistration;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.memory.testing.Kernel;
import dev.wdmm.memory.testing.NeedsKernel;
import dev.wdmm.memory.testing.RegistrationContract;
import dev.wdmm.memory.testing.Skip;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * Registration and IOVA → VA on the no-IOMMU bridge, against {@code /proc/self/pagemap} read by the
 * test ({@link Kernel}): registered memory is held by a real long-term pin (the kernel counts it in
 * {@code VmPin}), its IOVAs are its physical addresses and stay so through compaction.
 */
@NeedsKernel(pfns = true, pinning = true)
class NoIommuRegistrationTest extends RegistrationContract {
    @Override
    protected WdMmBridge newBridge() {
        return NoIommuBridge.open();
    }

    @Override
    protected long oracleIova(long va) {
        return Kernel.presentPhysical(va);
    }

    @Test
    void registrationIsALongTermPinTheKernelCountsAndUnregisterDropsIt() {
        MemorySegment memory = external(1L << 20);
        long before = Kernel.vmPinKiB();
        registration().register(memory);
        assertEquals(before + 1024, Kernel.vmPinKiB());
        assertTrue(
                registration().holding().contains("long-term pin"),
                registration().holding());
        registration().unregister(memory);
        assertEquals(before, Kernel.vmPinKiB());
        registration().register(memory);
        bridge.close();
        assertEquals(before, Kernel.vmPinKiB(), "close releases registrations");
    }

    @Test
    void aSharedFileMappingOnTmpfsMapsToItsPhysicalPages() throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "wdmm-register", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, 64 << 10, arena);
            mapping.fill((byte) 3);
            registration().register(mapping);
            for (long offset = 0; offset < mapping.byteSize(); offset += 4096 + 123) {
                MemorySegment slice = mapping.asSlice(offset);
                long size = bridge.unwrap(WdContiguity.class).orElseThrow().contiguousLength(slice, slice.byteSize());
                long iova = bridge.iovaMap(slice, size);
                assertEquals(Kernel.presentPhysical(slice.address()), iova);
                assertEquals(size, Kernel.contiguous(slice.address(), size));
                assertEquals(slice.address(), lookup().addressOf(iova));
                bridge.iovaUnmap(slice, iova, size);
            }
            registration().unregister(mapping);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aReadOnlyMappingCannotBePinnedAndIsRefusedWithTheReason() throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "wdmm-register", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.allocate(8192));
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, 8192, arena);
            WdRegistration r = registration();
            WdRegistrationException e = assertThrows(WdRegistrationException.class, () -> r.register(mapping));
            assertEquals(WdRegistrationException.Reason.CANNOT_HOLD, e.reason());
            assertTrue(e.getMessage().contains("long-term pin"), e.getMessage());
            assertEquals(0, r.registeredBytes());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void registeredPagesKeepTheirFramesThroughCompaction() throws IOException {
        Path compact = Path.of("/proc/sys/vm/compact_memory");
        if (!Files.isWritable(compact)) {
            Skip.because(
                    "NoIommuRegistrationTest.registeredPagesKeepTheirFramesThroughCompaction",
                    compact + " is not writable",
                    "run as root on a kernel with CONFIG_COMPACTION");
        }
        MemorySegment memory = external(4L << 20);
        registration().register(memory);
        int pages = (int) (memory.byteSize() / 4096);
        long[] before = new long[pages];
        for (int i = 0; i < pages; i++) {
            before[i] = bridge.iovaMap(memory.asSlice(i * 4096L), 4096);
            bridge.iovaUnmap(memory.asSlice(i * 4096L), before[i], 4096);
        }
        for (int round = 0; round < 3; round++) {
            Files.writeString(compact, "1");
        }
        for (int i = 0; i < pages; i++) {
            long va = memory.address() + i * 4096L;
            assertEquals(before[i], Kernel.presentPhysical(va), "page " + i + " moved although registered");
            assertEquals(va, lookup().addressOf(before[i] + 5) - 5);
        }
    }
}
