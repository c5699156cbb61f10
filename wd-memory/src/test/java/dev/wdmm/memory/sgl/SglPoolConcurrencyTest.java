package dev.wdmm.memory.sgl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SglPoolConcurrencyTest {

    @Test
    void threadsNeverSeeEachOthersDataAndEveryChainComesBack() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            AtomicInteger frees = new AtomicInteger();
            WdMmBridge bridge = WdMmBridge.of(
                    arena,
                    (a, size) -> a.allocate(size, 4096),
                    (a, va) -> frees.incrementAndGet(),
                    (a, va, size) -> va.address() ^ 0x1_0000_0000_0000L,
                    (a, va, iova, size) -> {});
            SglPool pool = SglPool.create(bridge, new SglPoolSetup(16, 8, 3, 2048, 128));
            AtomicLong failures = new AtomicLong();
            AtomicReference<Throwable> problem = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 1; t <= 4; t++) {
                byte mark = (byte) t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        work(arena, pool, mark, failures);
                    } catch (Throwable e) {
                        problem.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertNull(problem.get());
            assertEquals(16, pool.freeSgls());
            assertEquals(failures.get(), pool.allocFailures());
            pool.destroy();
            assertEquals(1, frees.get(), "the block pool's region went back to the bridge");
        }
    }

    private static void work(Arena arena, SglPool pool, byte mark, AtomicLong failures) {
        SplittableRandom random = new SplittableRandom(mark);
        MemorySegment flat = arena.allocate(4 * 6144);
        MemorySegment back = arena.allocate(4 * 6144);
        for (int i = 0; i < 2_000; i++) {
            long size = 1 + random.nextLong(4 * 6144);
            Sgl chain;
            try {
                chain = pool.alloc(size);
            } catch (WdAllocationException exhausted) {
                failures.incrementAndGet();
                continue;
            }
            flat.fill((byte) (mark + i));
            MemorySegment part = flat.asSlice(0, size);
            if (chain.copyFrom(0, part) != 0) {
                throw new AssertionError("a chain of size " + size + " truncated its own size");
            }
            Thread.yield();
            back.fill((byte) 0);
            if (chain.copyTo(0, back.asSlice(0, size)) != 0 || part.mismatch(back.asSlice(0, size)) != -1) {
                throw new AssertionError("data of thread " + mark + " changed under it");
            }
            if (back.get(ValueLayout.JAVA_BYTE, size - 1) != (byte) (mark + i)) {
                throw new AssertionError("last byte lost");
            }
            pool.free(chain);
        }
    }
}
