package dev.wdmm.rig;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdQueue;
import dev.wdmm.api.WdReservedMemory;
import dev.wdmm.core.WdMm;
import dev.wdmm.memory.pool.BlockPool;
import dev.wdmm.memory.pool.BlockPoolSetup;
import dev.wdmm.memory.sgl.Sgl;
import dev.wdmm.memory.sgl.SglPool;
import dev.wdmm.memory.sgl.SglPoolSetup;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The crash matrix's mistakes with pools, SGLs and closing ({@link CrashChild} runs one): a pool
 * block and an SGL buffer touched after their pool was destroyed, a block pool and an SGL pool
 * created over the region of a closed queue, and bridge calls racing a close from another thread.
 */
final class CrashPools {
    private static final BlockPoolSetup BLOCKS = new BlockPoolSetup(4096, 16, 64);
    private static final SglPoolSetup SGLS = new SglPoolSetup(4, 4, 4, 4096, 64);

    private CrashPools() {}

    /**
     * Makes the mistake; returns what ended it (null for nothing).
     *
     * @param mm the open facade
     * @param mistake one of the names {@link CrashChild} dispatches here
     * @return the first exception, or null
     * @throws InterruptedException if interrupted
     */
    static Throwable run(WdMm mm, String mistake) throws InterruptedException {
        WdMmBridge bridge = mm.bridge();
        try {
            switch (mistake) {
                case "pool-block-after-destroy" -> {
                    BlockPool pool = BlockPool.create(bridge, BLOCKS);
                    MemorySegment block = pool.alloc();
                    pool.freeAddress(block.address());
                    pool.destroy();
                    block.fill((byte) 0x5a);
                    pool.alloc();
                }
                case "sgl-buffer-after-destroy" -> {
                    SglPool pool = SglPool.create(bridge, SGLS);
                    Sgl chain = pool.alloc(8192);
                    MemorySegment buffer = chain.firstBuffer();
                    pool.free(chain);
                    pool.destroy();
                    buffer.fill((byte) 0x5a);
                    chain.firstBuffer();
                }
                case "pool-over-released-region" -> BlockPool.create(releasedRegion(mm), BLOCKS);
                case "sgl-over-released-region" -> SglPool.create(releasedRegion(mm), SGLS);
                case "calls-during-close" -> {
                    return callsDuringClose(mm, bridge);
                }
                default -> throw new IllegalArgumentException("mistake=" + mistake);
            }
        } catch (RuntimeException e) {
            return e;
        }
        return null;
    }

    private static WdReservedMemory releasedRegion(WdMm mm) {
        WdQueue queue = mm.openQueue();
        WdReservedMemory region = queue.reserveMemory(4L << 20);
        queue.close();
        return region;
    }

    /** A thread allocates, maps, unmaps, touches and frees in a loop while this one closes the facade. */
    private static Throwable callsDuringClose(WdMm mm, WdMmBridge bridge) throws InterruptedException {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        CountDownLatch running = new CountDownLatch(1);
        long large = bridge.bufferSize().orElse(3L << 20);
        Thread user = new Thread(() -> {
            try {
                for (int i = 0; ; i++) {
                    MemorySegment segment = bridge.alloc(i % 2 == 0 ? 256 : large);
                    bridge.iovaUnmap(segment, bridge.iovaMap(segment, 64), 64);
                    segment.set(ValueLayout.JAVA_BYTE, segment.byteSize() - 1, (byte) i);
                    bridge.free(segment);
                    running.countDown();
                }
            } catch (Throwable e) {
                ended.set(e);
                running.countDown();
            }
        });
        user.start();
        running.await();
        mm.close();
        user.join(10_000);
        return ended.get();
    }
}
