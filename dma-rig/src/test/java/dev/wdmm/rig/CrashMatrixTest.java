package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.WdMm;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A caller's mistakes with segments never crash the JVM: for every backend that can be opened
 * here, child JVMs touch a segment after {@code free} (small and large), after the facade is
 * closed, and while another thread closes it. Each child must exit normally; after close (and
 * during it) the access must end in {@link IllegalStateException}. After a free of a small
 * allocation the memory still belongs to the bridge (its chunk stays mapped), so the access
 * reaches it without a crash; only a checked mode (not yet built) would refuse it.
 */
class CrashMatrixTest {
    /** The mistakes, as the child names them. */
    static final List<String> MISTAKES = List.of(
            "read-after-free-small",
            "write-after-free-large",
            "read-after-close",
            "write-after-close-large",
            "read-during-close");

    @Test
    void sva() throws Exception {
        matrix("sva");
    }

    @Test
    void noiommu() throws Exception {
        matrix("noiommu");
    }

    @Test
    void hugepage() throws Exception {
        matrix("hugepage");
    }

    @Test
    void passthrough() throws Exception {
        matrix("passthrough");
    }

    private static void matrix(String backend) throws Exception {
        String cause = null;
        try (WdMm mm = open(backend)) {
            mm.bridge().free(mm.bridge().alloc(64));
        } catch (RuntimeException | LinkageError e) {
            cause = e.getMessage();
        }
        if (cause != null) {
            String line = "SKIPPED CrashMatrixTest." + backend + ": the " + backend + " backend cannot be opened here ("
                    + cause + "); fix: run ./wd-mm test as root with huge pages reserved (CI does)";
            System.out.println(line);
            assumeTrue(false, line);
        }
        List<String> outcomes = new ArrayList<>();
        for (String mistake : MISTAKES) {
            String out = child(backend, mistake);
            outcomes.add(
                    out.lines().filter(l -> l.startsWith("OUTCOME")).findFirst().orElse(out));
            assertFalse(
                    out.contains("SIGSEGV") || out.contains("hs_err"), backend + " " + mistake + " crashed: " + out);
            assertTrue(out.contains("OUTCOME " + backend + " " + mistake + " "), out);
            if (mistake.contains("close")) {
                assertTrue(out.contains("threw=java.lang.IllegalStateException"), out);
            }
        }
        outcomes.forEach(o -> System.out.println("crash matrix: " + o));
    }

    static WdMm open(String backend) {
        // memory safety does not depend on the IOMMU mode: sva is opened here too, where it does not
        // serve the detected mode (and would otherwise be refused)
        WdMm.Builder builder = WdMm.builder().backend(backend).option("wd.mm.backend.force", "true");
        if (backend.equals("passthrough")) {
            builder.option("wd.mm.passthrough.block-size", "65536").option("wd.mm.passthrough.block-count", "64");
        }
        return builder.open();
    }

    private static String child(String backend, String mistake) throws IOException, InterruptedException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-XX:ErrorFile=/dev/null",
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName(),
                backend,
                mistake);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), backend + " " + mistake + " did not finish: " + out);
        assertEquals(
                0,
                process.exitValue(),
                backend + " " + mistake + " exit " + process.exitValue() + " (134 or 139: the JVM crashed): " + out);
        return out;
    }

    /** The child JVM: makes one mistake and prints {@code OUTCOME <backend> <mistake> threw=<exception>|none}. */
    static final class Child {
        private Child() {}

        /**
         * Runs one mistake.
         *
         * @param args backend name and mistake
         * @throws InterruptedException if interrupted
         */
        public static void main(String[] args) throws InterruptedException {
            String backend = args[0];
            String mistake = args[1];
            WdMm mm = open(backend);
            WdMmBridge bridge = mm.bridge();
            long large = bridge.bufferSize().orElse(3L << 20);
            Throwable thrown = null;
            try {
                switch (mistake) {
                    case "read-after-free-small" -> {
                        MemorySegment segment = bridge.alloc(64);
                        bridge.free(segment);
                        segment.get(ValueLayout.JAVA_BYTE, 63);
                    }
                    case "write-after-free-large" -> {
                        MemorySegment segment = bridge.alloc(large);
                        bridge.free(segment);
                        segment.fill((byte) 0x5a);
                    }
                    case "read-after-close" -> {
                        MemorySegment segment = bridge.alloc(4096);
                        mm.close();
                        segment.get(ValueLayout.JAVA_BYTE, 4095);
                    }
                    case "write-after-close-large" -> {
                        MemorySegment segment = bridge.alloc(large);
                        mm.close();
                        segment.fill((byte) 0x5a);
                    }
                    case "read-during-close" -> thrown = readDuringClose(mm, bridge.alloc(large));
                    default -> throw new IllegalArgumentException("mistake=" + mistake);
                }
            } catch (RuntimeException e) {
                thrown = e;
            } finally {
                mm.close();
            }
            System.out.println("OUTCOME " + backend + " " + mistake + " threw="
                    + (thrown == null ? "none" : thrown.getClass().getName()));
        }

        /** A thread reads the segment in a loop while this one closes the facade; returns what ended the loop. */
        private static Throwable readDuringClose(WdMm mm, MemorySegment segment) throws InterruptedException {
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    long sum = 0;
                    for (long i = 0; ; i = (i + 4096) % segment.byteSize()) {
                        sum += segment.get(ValueLayout.JAVA_BYTE, i);
                        if (sum == Long.MIN_VALUE) {
                            return;
                        }
                    }
                } catch (RuntimeException e) {
                    ended.set(e);
                }
            });
            reader.start();
            Thread.sleep(200);
            mm.close();
            reader.join(10_000);
            return ended.get();
        }
    }
}
