package dev.wdmm.api;

import static java.util.Objects.requireNonNull;

import dev.wdmm.spi.WdArguments;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

/** The bridge behind {@link WdMmBridge#of}: argument checks in front of the user's callbacks. */
final class CallbackBridge<U> implements WdMmBridge {
    private final U usr;
    private final Alloc<U> alloc;
    private final Free<U> free;
    private final IovaMap<U> map;
    private final IovaUnmap<U> unmap;
    private final OptionalLong bufferSize;

    CallbackBridge(U usr, Alloc<U> alloc, Free<U> free, IovaMap<U> map, IovaUnmap<U> unmap, OptionalLong bufferSize) {
        this.usr = usr;
        this.alloc = requireNonNull(alloc, "alloc is null");
        this.free = requireNonNull(free, "free is null");
        this.map = requireNonNull(map, "map is null");
        this.unmap = requireNonNull(unmap, "unmap is null");
        this.bufferSize = bufferSize;
    }

    @Override
    public MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        MemorySegment segment = alloc.alloc(usr, size);
        if (segment == null) {
            throw new WdAllocationException(size, "size=" + size + " refused: the alloc callback returned null");
        }
        if (!segment.isNative() || segment.byteSize() < size) {
            throw new IllegalStateException("alloc callback returned " + segment + " for size=" + size
                    + "; it must return a native segment of at least size bytes");
        }
        return segment.byteSize() == size ? segment : segment.asSlice(0, size);
    }

    @Override
    public void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        free.free(usr, segment);
    }

    @Override
    public long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireRange(segment, size);
        return map.map(usr, segment, size);
    }

    @Override
    public void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireRange(segment, size);
        unmap.unmap(usr, segment, iova, size);
    }

    @Override
    public OptionalLong bufferSize() {
        return bufferSize;
    }

    @Override
    public String toString() {
        return "WdMmBridge.of(usr=" + usr + ")";
    }
}
