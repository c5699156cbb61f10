package dev.wdmm.memory.nativeio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.testing.Kernel;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NUMA: a two-node machine from a fixture sysfs tree, and binding checked against the kernel's own
 * account of the mapping ({@code /proc/self/numa_maps}, read by the test).
 */
class NumaTest {
    @TempDir
    Path root;

    private void write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content + "\n");
    }

    @Test
    void aTwoNodeMachineReportsItsNodesHugepageCountsAndDeviceNodes() throws IOException {
        write("sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "128");
        write("sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages", "100");
        write("sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages", "64");
        write("sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages", "0");
        write("sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages", "2");
        write("sys/devices/system/node/node1/hugepages/hugepages-1048576kB/free_hugepages", "2");
        Files.createDirectories(root.resolve("sys/devices/system/node/possible-not-a-node"));
        write("sys/bus/pci/devices/0000:3b:00.0/numa_node", "1");
        write("sys/bus/pci/devices/0000:00:02.0/numa_node", "-1");
        List<Numa.Node> nodes = Numa.nodes(root);
        assertEquals(List.of(0, 1), nodes.stream().map(Numa.Node::id).toList());
        assertEquals(
                new HugepageCounts.Pool(2L << 20, 128, 100),
                nodes.get(0).hugepages().getFirst());
        assertEquals(2, nodes.get(1).hugepages().size());
        assertEquals(
                "node1: hugepages-2048kB: nr_hugepages=64 free_hugepages=0,"
                        + " hugepages-1048576kB: nr_hugepages=2 free_hugepages=2",
                Numa.describe(nodes.get(1)));
        assertEquals(1, Numa.pciNode(root, "0000:3b:00.0"));
        assertEquals(Numa.NO_NODE, Numa.pciNode(root, "0000:00:02.0"));
        assertEquals(Numa.NO_NODE, Numa.pciNode(root, "0000:ff:00.0"), "a missing device has no node");
        assertEquals(
                List.of("0000:00:02.0", "0000:3b:00.0"),
                List.copyOf(Numa.pciNodes(root).keySet()));
    }

    @Test
    void aKernelWithoutNumaHasNoNodesAndAMalformedCountIsNamed() throws IOException {
        assertTrue(Numa.nodes(root).isEmpty());
        write("sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", "many");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Numa.nodes(root));
        assertTrue(e.getMessage().contains("content='many'"), e.getMessage());
    }

    @Test
    void theOptionParsesNodesAndRefusesTheRest() {
        var option = Numa.option("sva");
        assertEquals("wd.mm.sva.numa-node", option.name());
        assertEquals(Numa.NO_NODE, option.defaultValue());
        assertEquals(3, option.parse("3"));
        assertEquals(Numa.NO_NODE, option.parse("any"));
        assertEquals(Numa.NO_NODE, option.parse("-1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> option.parse("-2"));
        assertTrue(
                e.getMessage().contains("wd.mm.sva.numa-node=-2 must be a node number >= 0, or any"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> option.parse("zero"));
    }

    @Test
    void aNodeThatIsNotOnlineIsRefusedNamingTheOnlineOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Numa.requireOnline(4095, "wd.mm.sva.numa-node"));
        assertTrue(
                e.getMessage().startsWith("wd.mm.sva.numa-node=4095 is not an online NUMA node; online: "),
                e.getMessage());
        Numa.requireOnline(0, "node");
    }

    @Test
    void boundPagesAreAllocatedOnTheNodeByTheKernelsOwnAccount() {
        MemorySegment mapping =
                NativeMemory.mmap(2L << 20, NativeMemory.PROT_READ | NativeMemory.PROT_WRITE, NativeMemory.MAP_PRIVATE);
        try {
            Numa.bind(mapping, 0);
            for (long offset = 0; offset < mapping.byteSize(); offset += 4096) {
                mapping.set(ValueLayout.JAVA_BYTE, offset, (byte) 1);
            }
            String line = Kernel.numaMapsLine(mapping.address());
            assertTrue(line.contains(" bind:0 "), line);
            assertTrue(line.matches(".* N0=\\d+.*") && !line.matches(".* N[1-9]\\d*=.*"), line);
            assertEquals(0, Numa.nodeOf(mapping.address() + 4096));
            assertThrows(IllegalArgumentException.class, () -> Numa.bind(mapping.asSlice(1), 0), "unaligned");
        } finally {
            NativeMemory.munmap(mapping);
        }
    }
}
