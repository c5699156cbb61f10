package dev.wdmm.rig;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.core.WdMm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link CrashMatrixTest}: makes one mistake and prints
 * {@code OUTCOME <backend> <fast|checked> <mistake> threw=<exception>|none}, where the exception
 * is the first one the mistaken accesses ended in.
 */
final class CrashChild {
    /** Bytes of the allocations that fill chunks for {@code read-after-chunk-release}: 4 per 2 MiB chunk. */
    private static final long QUARTER_CHUNK = 512L << 10;

    private CrashChild() {}

    /**
     * Runs one mistake.
     *
     * @param args backend name, {@code fast} or {@code checked}, mistake
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        String backend = args[0];
        String mode = args[1];
        String mistake = args[2];
        WdMm mm = CrashMatrixTest.open(backend, mode.equals("checked"));
        WdMmBridge bridge = mm.bridge();
        long large = bridge.bufferSize().orElse(3L << 20);
        Throwable thrown = null;
        String detail = "";
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
                case "read-after-chunk-release" -> {
                    List<Throwable> ends = afterChunkRelease(bridge);
                    thrown = ends.stream().filter(e -> e != null).findFirst().orElse(null);
                    detail = " refused=" + ends.stream().filter(e -> e != null).count() + "/" + ends.size();
                }
                case "close-with-freed-outstanding" -> {
                    List<Throwable> ends = closeWithFreedOutstanding(mm, Math.min(large, QUARTER_CHUNK));
                    thrown = ends.stream().filter(e -> e != null).findFirst().orElse(null);
                    detail = " refused=" + ends.stream().filter(e -> e != null).count() + "/" + ends.size();
                }
                case "pool-block-after-destroy",
                        "sgl-buffer-after-destroy",
                        "pool-over-released-region",
                        "sgl-over-released-region",
                        "calls-during-close" -> thrown = CrashPools.run(mm, mistake);
                default -> throw new IllegalArgumentException("mistake=" + mistake);
            }
        } catch (RuntimeException e) {
            thrown = e;
        } finally {
            mm.close();
        }
        System.out.println("OUTCOME " + backend + " " + mode + " " + mistake + " threw="
                + (thrown == null ? "none" : thrown.getClass().getName()) + detail);
    }

    /**
     * Fills two chunks of one size class (4 allocations of a quarter chunk each), frees them all,
     * so that the allocator keeps one emptied chunk per bin and gives the other back to the OS,
     * then reads every old segment: what each read ended in, null for none.
     */
    private static List<Throwable> afterChunkRelease(WdMmBridge bridge) {
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            segments.add(bridge.alloc(QUARTER_CHUNK));
        }
        segments.forEach(bridge::free);
        return touchAll(segments);
    }

    /**
     * Allocates 16 segments of mixed sizes, frees every other one (in checked mode they wait in
     * the quarantine) and closes: the library must release them without touching their memory.
     * Then reads every old segment.
     */
    private static List<Throwable> closeWithFreedOutstanding(WdMm mm, long largest) {
        List<MemorySegment> segments = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            segments.add(mm.bridge().alloc(Math.min(largest, 64L << (i % 8 * 2))));
        }
        for (int i = 0; i < segments.size(); i += 2) {
            mm.bridge().free(segments.get(i));
        }
        mm.close();
        return touchAll(segments);
    }

    private static List<Throwable> touchAll(List<MemorySegment> segments) {
        List<Throwable> ends = new ArrayList<>();
        for (MemorySegment segment : segments) {
            try {
                segment.get(ValueLayout.JAVA_BYTE, segment.byteSize() - 1);
                ends.add(null);
            } catch (RuntimeException e) {
                ends.add(e);
            }
        }
        return ends;
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
