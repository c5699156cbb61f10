package dev.wdmm.rig;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.nativeio.NativeMemory;
import dev.wdmm.memory.nativeio.ResourceLimit;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link FaultTest}, started under a limit that makes the bridge fail: allocates
 * until refused, checks that the refusal kept nothing, clears the limit from inside and allocates
 * again. Prints {@code FAULT <kind> refused=<message>}, {@code FAULT <kind> kept=<kB>} (memory the
 * refusal left behind) and {@code FAULT <kind> recovered}.
 */
final class FaultChild {
    private FaultChild() {}

    /**
     * Runs one fault.
     *
     * @param args {@code memlock} (noiommu under a small RLIMIT_MEMLOCK) or {@code address-space}
     *     (sva under a small RLIMIT_AS)
     * @throws Exception if the child cannot run its steps
     */
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        boolean memlock = kind.equals("memlock");
        String counter = memlock ? "VmPin:" : "VmSize:";
        try (WdMm mm = CrashMatrixTest.open(memlock ? "noiommu" : "sva", false)) {
            WdMmBridge bridge = mm.bridge();
            long size = memlock ? 64L << 10 : 1L << 30;
            List<MemorySegment> held = new ArrayList<>();
            WdAllocationException refused = null;
            long before = 0;
            for (int i = 0; i < 1024 && refused == null; i++) {
                before = status(counter);
                try {
                    held.add(bridge.alloc(size));
                } catch (WdAllocationException e) {
                    refused = e;
                }
            }
            System.out.println("FAULT " + kind + " refused=" + (refused == null ? "none" : refused.getMessage()));
            System.out.println("FAULT " + kind + " kept=" + (status(counter) - before));
            if (memlock) {
                long hard = NativeMemory.memlockLimit().hard();
                NativeMemory.setMemlockLimit(new ResourceLimit(hard, hard)); // the soft limit up to the hard one
            } else {
                Process prlimit = new ProcessBuilder(
                                "/usr/bin/prlimit",
                                "--pid",
                                "" + ProcessHandle.current().pid(),
                                "--as=unlimited:")
                        .inheritIO()
                        .start();
                if (prlimit.waitFor() != 0) {
                    throw new IllegalStateException("prlimit --as=unlimited: failed");
                }
            }
            MemorySegment again = bridge.alloc(size);
            again.set(ValueLayout.JAVA_BYTE, size - 1, (byte) 1);
            bridge.free(again);
            held.forEach(bridge::free);
            System.out.println("FAULT " + kind + " recovered after " + held.size() + " allocations");
        }
    }

    /** A counter of /proc/self/status in kB. */
    private static long status(String field) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .sum();
    }
}
