package dev.wdmm.memory.nativeio;

import dev.wdmm.api.WdNativeException;
import dev.wdmm.spi.WdOption;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * NUMA placement: the memory nodes the kernel has online and their huge page counts, the node of
 * each PCI device ({@code /sys/bus/pci/devices/<bdf>/numa_node}), and binding a mapping to one
 * node with {@code mbind(MPOL_BIND)} before its pages are faulted in, so that a device's DMA
 * memory sits on the device's node (UADK v2's {@code wd_mempool_create(size, node)}, DPDK's
 * {@code *_socket} allocations). Sysfs readers take a root, so that fixture trees stand in for
 * machines with several nodes. Stateless and thread-safe.
 */
public final class Numa {
    /** What {@link #pciNode} and the kernel report for a device without a node. */
    public static final int NO_NODE = -1;

    private static final String NODES = "sys/devices/system/node";
    private static final String PCI = "sys/bus/pci/devices";
    private static final int MPOL_BIND = 2;
    private static final int MPOL_MF_STRICT = 1;
    private static final int MPOL_MF_MOVE = 1 << 1;
    private static final int MPOL_F_NODE = 1;
    private static final int MPOL_F_ADDR = 1 << 1;
    private static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));
    private static final long SYS_MBIND = AARCH64 ? 235 : 237;
    private static final long SYS_GET_MEMPOLICY = AARCH64 ? 236 : 239;

    private Numa() {}

    /**
     * One online memory node.
     *
     * @param id the node number
     * @param hugepages its huge page pools (per node counts), sorted by page size
     */
    public record Node(int id, List<HugepageCounts.Pool> hugepages) {
        /** Copies the pools. */
        public Node {
            hugepages = List.copyOf(hugepages);
        }
    }

    /**
     * The nodes under {@code <root>/sys/devices/system/node}, by number.
     *
     * @param root {@code /} or a fixture tree
     * @return the nodes; empty where the kernel has no NUMA support (the directory is missing)
     * @throws IllegalStateException naming the file if a count is malformed
     */
    public static List<Node> nodes(Path root) {
        Path dir = root.resolve(NODES);
        List<Node> nodes = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return nodes;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "node[0-9]*")) {
            for (Path node : entries) {
                String name = node.getFileName().toString();
                if (name.substring(4).chars().allMatch(Character::isDigit)) {
                    nodes.add(new Node(
                            Integer.parseInt(name.substring(4)), HugepageCounts.read(node.resolve("hugepages"))));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        nodes.sort(Comparator.comparingInt(Node::id));
        return nodes;
    }

    /**
     * The node of a PCI device, as the kernel reports it.
     *
     * @param root {@code /} or a fixture tree
     * @param bdf the device's address, e.g. {@code 0000:3b:00.0}
     * @return the node, or {@link #NO_NODE} where the kernel gives none (one-node machines, or
     *     the device or file missing)
     */
    public static int pciNode(Path root, String bdf) {
        Objects.requireNonNull(bdf, "bdf is null");
        Path file = root.resolve(PCI).resolve(bdf).resolve("numa_node");
        try {
            return Integer.parseInt(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return NO_NODE;
        }
    }

    /**
     * Every PCI device's node.
     *
     * @param root {@code /} or a fixture tree
     * @return BDF to node ({@link #NO_NODE} for none), sorted by BDF; empty without sysfs PCI
     */
    public static TreeMap<String, Integer> pciNodes(Path root) {
        TreeMap<String, Integer> nodes = new TreeMap<>();
        Path dir = root.resolve(PCI);
        if (!Files.isDirectory(dir)) {
            return nodes;
        }
        try (DirectoryStream<Path> devices = Files.newDirectoryStream(dir)) {
            for (Path device : devices) {
                String bdf = device.getFileName().toString();
                nodes.put(bdf, pciNode(root, bdf));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return nodes;
    }

    /**
     * Checks that {@code node} is an online node of this machine.
     *
     * @param node the node asked for
     * @param what who asks, for the message (e.g. {@code wd.mm.hugepage.numa-node})
     * @throws IllegalArgumentException naming the online nodes if it is not
     */
    public static void requireOnline(int node, String what) {
        List<Integer> online = nodes(Path.of("/")).stream().map(Node::id).toList();
        if (node < 0 || (online.isEmpty() ? node != 0 : !online.contains(node))) {
            throw new IllegalArgumentException(what + "=" + node + " is not an online NUMA node; online: "
                    + (online.isEmpty() ? "[0] (no NUMA support in the kernel)" : online) + " (from /" + NODES + ")");
        }
    }

    /**
     * Binds the pages of a mapping to one node ({@code mbind(MPOL_BIND, MPOL_MF_STRICT |
     * MPOL_MF_MOVE)}); call it after {@code mmap} and before the pages are touched or pinned, so
     * that they are allocated there. Pages that cannot be had on the node then fail to fault in
     * (the kernel does not fall back to another node).
     *
     * @param segment the mapping, page-aligned
     * @param node an online node
     * @throws IllegalArgumentException if the node is not online or the segment is not page-aligned
     * @throws WdNativeException if {@code mbind} fails (call, errno and fix named)
     */
    public static void bind(MemorySegment segment, int node) {
        Objects.requireNonNull(segment, "segment is null");
        requireOnline(node, "node");
        if ((segment.address() & (NativeMemory.pageSize() - 1)) != 0) {
            throw new IllegalArgumentException("segment va=0x" + Long.toHexString(segment.address())
                    + " must be page-aligned to bind it to a node");
        }
        try (Arena arena = Arena.ofConfined()) {
            long words = node / 64 + 1;
            MemorySegment mask = arena.allocate(ValueLayout.JAVA_LONG, words);
            mask.setAtIndex(ValueLayout.JAVA_LONG, node / 64, 1L << (node % 64));
            MemorySegment slot = LibC.errnoSlot();
            long result = LibC.syscall(
                    slot,
                    SYS_MBIND,
                    segment.address(),
                    segment.byteSize(),
                    MPOL_BIND,
                    mask.address(),
                    words * 64 + 1,
                    MPOL_MF_STRICT | MPOL_MF_MOVE);
            if (result != 0) {
                throw NativeErrors.failure(
                        "mbind(va=0x" + Long.toHexString(segment.address()) + ", len=" + segment.byteSize()
                                + ", MPOL_BIND, node=" + node + ")",
                        LibC.errno(slot),
                        "check that the node has free memory (numastat -m), or leave the node unset");
            }
        }
    }

    /**
     * The node the page holding {@code address} is on ({@code get_mempolicy(MPOL_F_NODE |
     * MPOL_F_ADDR)}), faulting it in if it is not present.
     *
     * @param address inside a mapping of this process
     * @return the node
     * @throws WdNativeException if the kernel refuses (unmapped address)
     */
    public static int nodeOf(long address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mode = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment slot = LibC.errnoSlot();
            long result =
                    LibC.syscall(slot, SYS_GET_MEMPOLICY, mode.address(), 0, 0, address, MPOL_F_NODE | MPOL_F_ADDR, 0);
            if (result != 0) {
                throw NativeErrors.failure(
                        "get_mempolicy(MPOL_F_NODE|MPOL_F_ADDR, va=0x" + Long.toHexString(address) + ")",
                        LibC.errno(slot),
                        null);
            }
            return mode.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * The {@code wd.mm.<backend>.numa-node} option of a backend: the node its memory is bound to,
     * {@link #NO_NODE} (the default, also written {@code any}) for the kernel's default policy.
     *
     * @param backend the backend's name
     * @return the option; its parser refuses anything but {@code any}, {@code -1} or a node number
     */
    public static WdOption<Integer> option(String backend) {
        String name = "wd.mm." + backend + ".numa-node";
        return new WdOption<>(
                name,
                NO_NODE,
                text -> parseNode(name, text),
                "NUMA node the memory is bound to (mbind MPOL_BIND), e.g. the device's node; any: the kernel's choice");
    }

    private static int parseNode(String name, String text) {
        String t = text.trim();
        if (t.equalsIgnoreCase("any") || t.equals("-1")) {
            return NO_NODE;
        }
        try {
            int node = Integer.parseInt(t);
            if (node >= 0) {
                return node;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(name + "=" + text + " must be a node number >= 0, or any");
    }

    /**
     * A one-line summary for reports, e.g. {@code node0: hugepages-2048kB: nr_hugepages=256 free_hugepages=250}.
     *
     * @param node the node
     * @return the line
     */
    public static String describe(Node node) {
        return "node" + node.id() + ": "
                + (node.hugepages().isEmpty()
                        ? "no huge page pools"
                        : node.hugepages().stream().map(Object::toString).collect(Collectors.joining(", ")));
    }
}
