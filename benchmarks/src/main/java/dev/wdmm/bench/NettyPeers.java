package dev.wdmm.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

/**
 * Netty's direct allocators in the configuration that gives them their best figures outside an
 * event loop (JMH threads are not Netty event-loop threads).
 *
 * <ul>
 *   <li>Pooled: {@code PooledByteBufAllocator.DEFAULT}'s settings, but with thread caches for
 *       all threads ({@code useCacheForAllThreads}, off by default since Netty 4.2 outside
 *       event loops); without them every call would go to the shared arenas.</li>
 *   <li>Adaptive: direct, with thread-local magazines for non-event-loop threads.</li>
 *   <li>The leak detector off: with it on, one allocation in 128 records a stack trace.</li>
 * </ul>
 * Not thread-safe to create concurrently; the allocators themselves are thread-safe.
 */
final class NettyPeers {

    private NettyPeers() {}

    static ByteBufAllocator pooled() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        return new PooledByteBufAllocator(
                true,
                PooledByteBufAllocator.defaultNumHeapArena(),
                PooledByteBufAllocator.defaultNumDirectArena(),
                PooledByteBufAllocator.defaultPageSize(),
                PooledByteBufAllocator.defaultMaxOrder(),
                PooledByteBufAllocator.defaultSmallCacheSize(),
                PooledByteBufAllocator.defaultNormalCacheSize(),
                true);
    }

    static ByteBufAllocator adaptive() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        return new AdaptiveByteBufAllocator(true, true);
    }
}
