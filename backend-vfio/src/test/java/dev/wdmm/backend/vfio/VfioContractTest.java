package dev.wdmm.backend.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdDeviceAccess;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.memory.nativeio.VfioMappings;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bridge contract over the VFIO bridge, on a host without an IOMMU: real memory and the real
 * allocator, the kernel's type1 v2 rules in place of the two DMA ioctls ({@link RuleContainer}).
 * The rig's vIOMMU guest proves the ioctls and the IOVAs by DMA.
 */
class VfioContractTest extends WdMmBridgeContractTest {

    private RuleContainer container;

    @Override
    protected WdMmBridge newBridge() {
        container = new RuleContainer();
        return VfioBridge.over(container, IovaAllocator.over(RuleContainer.X86.ranges(), 1L << 32, 1L << 39));
    }

    /** What the stand-in kernel was told to map (VFIO_IOMMU_MAP_DMA's vaddr, iova, size), not the bridge's table. */
    @Override
    protected IovaOracle iovaOracle() {
        Type1Rules kernel = container.kernel;
        return IovaOracle.of("VFIO_IOMMU_MAP_DMA mappings", kernel::iovaOf);
    }

    @Override
    protected long minimumAlignment() {
        return 64;
    }

    @Test
    void mapsAreArithmeticAndMakeNoKernelCall() {
        VfioMappings vfio = bridge.unwrap(VfioMappings.class).orElseThrow();
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            segments.add(bridge.alloc(1000 + i));
        }
        long before = vfio.statistics().mapIoctls();
        for (MemorySegment segment : segments) {
            long iova = bridge.iovaMap(segment, segment.byteSize());
            assertEquals(iova + 999, bridge.iovaMap(segment.asSlice(999), 1));
            bridge.iovaUnmap(segment, iova, segment.byteSize());
            assertThrows(IllegalArgumentException.class, () -> bridge.iovaUnmap(segment, iova + 4096, 64));
        }
        VfioMappings.Statistics stats = vfio.statistics();
        assertEquals(before, stats.mapIoctls(), "no map ioctl for 600 iovaMap calls");
        assertEquals(stats.chunksAcquired(), stats.mapIoctls());
        assertTrue(stats.mapIoctls() <= 2, stats.toString());
        segments.forEach(bridge::free);
    }

    @Test
    void closeUnmapsEveryChunkBeforeClosingTheContainerAndKeepsTheCounters() {
        RuleContainer container = new RuleContainer();
        VfioBridge vfio =
                VfioBridge.over(container, IovaAllocator.over(RuleContainer.X86.ranges(), 1L << 32, 1L << 39));
        vfio.alloc(100);
        vfio.alloc(3L << 20);
        assertEquals(2, container.kernel.live());
        vfio.close();
        assertEquals(0, container.kernel.live());
        assertTrue(container.closed);
        assertEquals(
                "iova-mode=allocated map-ioctls=2 unmap-ioctls=2 chunks-acquired=2 chunks-released=2 kernel-mappings=0"
                        + " adjacent-chunks=" + vfio.statistics().adjacentChunks(),
                vfio.statistics().toString());
        assertEquals(RuleContainer.X86, vfio.iommuInfo());
        assertEquals(vfio, vfio.unwrap(VfioMappings.class).orElseThrow(), "a capability of the bridge");
        assertEquals(
                "0000:00:03.0", vfio.unwrap(WdDeviceAccess.class).orElseThrow().device());
        assertThrows(WdClosedException.class, vfio::deviceFd);
        assertEquals("0000:00:03.0", vfio.device());
    }
}
