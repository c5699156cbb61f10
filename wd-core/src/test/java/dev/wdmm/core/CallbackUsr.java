package dev.wdmm.core;

import dev.wdmm.api.WdMmBridge;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code usr} objects of code ported from C, for the callback bridge's contract tests: each
 * hands out real native memory through the four callbacks of {@link WdMmBridge#of}.
 */
final class CallbackUsr {
    private CallbackUsr() {}

    /**
     * One shared arena per allocation, closed by {@code free}: the segments' scope ends when the
     * memory is released, so every rule of the contract can hold. IOVA = address (as for SVA).
     */
    static final class ArenaPerAllocation {
        private final Map<Long, Arena> arenas = new ConcurrentHashMap<>();

        MemorySegment alloc(long size) {
            if (size > 1L << 30) {
                return null;
            }
            Arena arena = Arena.ofShared();
            MemorySegment segment = arena.allocate(size, 64);
            arenas.put(segment.address(), arena);
            return segment;
        }

        void free(MemorySegment va) {
            Arena arena = arenas.remove(va.address());
            if (arena == null) {
                throw new IllegalStateException("usr: free of va=0x" + Long.toHexString(va.address())
                        + " that usr never handed out (the bridge must have refused it)");
            }
            arena.close();
        }

        int live() {
            return arenas.size();
        }

        static WdMmBridge bridge(ArenaPerAllocation usr) {
            return WdMmBridge.of(
                    usr,
                    ArenaPerAllocation::alloc,
                    ArenaPerAllocation::free,
                    (u, va, sz) -> va.address(),
                    (u, va, iova, sz) -> {});
        }
    }

    /**
     * A first-fit pool of 64-byte units over one region the usr object owns (as a C program's
     * {@code wd_blkpool} would): {@code free} gives units back to the pool, so the memory stays
     * mapped and a segment handed out stays accessible after it is freed or the bridge closes.
     */
    static final class Pool {
        private static final long UNIT = 64;
        private static final int UNITS = 1 << 18; // 16 MiB
        private final MemorySegment region = Arena.ofAuto().allocate(UNIT * UNITS, 4096);
        private final BitSet used = new BitSet(UNITS);
        private final Map<Long, Integer> sizes = new ConcurrentHashMap<>();

        synchronized MemorySegment alloc(long size) {
            if (size > region.byteSize()) {
                return null;
            }
            int units = (int) ((size + UNIT - 1) / UNIT);
            for (int start = used.nextClearBit(0); start + units <= UNITS; start = used.nextClearBit(start + 1)) {
                int end = used.nextSetBit(start);
                if (end < 0 || end - start >= units) {
                    used.set(start, start + units);
                    MemorySegment segment = region.asSlice(start * UNIT, units * UNIT);
                    sizes.put(segment.address(), units);
                    return segment;
                }
                start = end;
            }
            return null;
        }

        synchronized void free(MemorySegment va) {
            Integer units = sizes.remove(va.address());
            if (units == null) {
                throw new IllegalStateException("usr: free of va=0x" + Long.toHexString(va.address())
                        + " that the pool never handed out (the bridge must have refused it)");
            }
            int start = (int) ((va.address() - region.address()) / UNIT);
            used.clear(start, start + units);
        }

        static WdMmBridge bridge(Pool usr) {
            return WdMmBridge.of(usr, Pool::alloc, Pool::free, (u, va, sz) -> va.address(), (u, va, iova, sz) -> {});
        }
    }
}
