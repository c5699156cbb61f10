package com.example.filemap;

import dev.wdmm.api.WdAllocationException;
import dev.wdmm.api.WdClosedException;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdOwnershipException;
import dev.wdmm.api.WdOwnershipException.Reason;
import dev.wdmm.spi.WdArguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.SequencedSet;
import java.util.TreeMap;

/**
 * The filemap bridge. Free file space is a map of free extents (page-granular, first fit, merged
 * on free); each allocation maps its extent with {@link FileChannel#map} into an arena of its own,
 * so that after {@code free} or {@code close} any access through its segment throws
 * {@link IllegalStateException} instead of touching unmapped memory. Thread-safe: every method
 * locks the bridge (a simple choice for an example; the built-in backends lock far less).
 */
final class FileMapBridge implements WdMmBridge {
    static final long PAGE = 4096;
    private static final int FREED_REMEMBERED = 4096;

    private record Allocation(long address, long size, long offset, long length, Arena arena) {}

    private final FileChannel channel;
    private final Path temporary;
    private final long iovaBase;
    private final long capacity;
    private final TreeMap<Long, Long> freeExtents = new TreeMap<>();
    private final TreeMap<Long, Allocation> live = new TreeMap<>();
    private final SequencedSet<Long> freed = new LinkedHashSet<>();
    private boolean closed;

    private FileMapBridge(FileChannel channel, Path temporary, long capacity, long iovaBase) {
        this.channel = channel;
        this.temporary = temporary;
        this.capacity = capacity;
        this.iovaBase = iovaBase;
        freeExtents.put(0L, capacity);
    }

    static FileMapBridge open(Path path, long capacity, long iovaBase) {
        Path temporary = null;
        try {
            Path file = path;
            if (file == null) {
                temporary = Files.createTempFile("wd-mm-filemap-", ".mem");
                file = temporary;
            }
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (channel.size() < capacity) {
                channel.write(java.nio.ByteBuffer.allocate(1), capacity - 1);
            }
            return new FileMapBridge(channel, temporary, capacity, iovaBase);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new UncheckedIOException(
                    "wd.mm.filemap.path=" + path + " cannot be opened and sized to " + capacity + " bytes: "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public synchronized MemorySegment alloc(long size) {
        WdArguments.requirePositive("size", size);
        checkOpen();
        if (size > capacity) {
            throw new IllegalArgumentException("size=" + size + " must be <= wd.mm.filemap.size=" + capacity);
        }
        long length = (size + PAGE - 1) & -PAGE;
        Map.Entry<Long, Long> extent = freeExtents.entrySet().stream()
                .filter(e -> e.getValue() >= length)
                .findFirst()
                .orElseThrow(() -> new WdAllocationException(
                        size,
                        "size=" + size + ": no free extent of " + length + " bytes in wd.mm.filemap.size=" + capacity
                                + " (free them, or raise wd.mm.filemap.size)"));
        long offset = extent.getKey();
        // read before the removal below: TreeMap may reuse a removed entry's node for its successor
        long extentLength = extent.getValue();
        Arena arena = Arena.ofShared();
        MemorySegment mapping;
        try {
            mapping = channel.map(FileChannel.MapMode.READ_WRITE, offset, length, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new WdAllocationException(
                    size, "size=" + size + ": mapping file offset " + offset + " failed: " + e, e);
        }
        freeExtents.remove(offset);
        if (extentLength > length) {
            freeExtents.put(offset + length, extentLength - length);
        }
        live.put(mapping.address(), new Allocation(mapping.address(), size, offset, length, arena));
        freed.remove(mapping.address());
        return mapping.asSlice(0, size);
    }

    @Override
    public synchronized void free(MemorySegment segment) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        long address = segment.address();
        Allocation allocation = live.get(address);
        if (allocation == null) {
            throw refusal("free", address, 1);
        }
        live.remove(address);
        allocation.arena().close();
        release(allocation.offset(), allocation.length());
        freed.add(address);
        if (freed.size() > FREED_REMEMBERED) {
            freed.removeFirst();
        }
    }

    @Override
    public synchronized long iovaMap(MemorySegment segment, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        Allocation allocation = containing(segment.address(), size, "map");
        return iovaBase + allocation.offset() + (segment.address() - allocation.address());
    }

    @Override
    public synchronized void iovaUnmap(MemorySegment segment, long iova, long size) {
        WdArguments.requireNative("segment", segment);
        checkOpen();
        WdArguments.requireRange(segment, size);
        Allocation allocation = containing(segment.address(), size, "unmap");
        long expected = iovaBase + allocation.offset() + (segment.address() - allocation.address());
        WdArguments.requireMatchingIova(segment.address(), size, iova, expected);
    }

    /** Unmaps every allocation still live, closes the file and deletes a temporary one. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        live.values().forEach(allocation -> allocation.arena().close());
        live.clear();
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the filemap file failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    private Allocation containing(long address, long size, String operation) {
        Map.Entry<Long, Allocation> entry = live.floorEntry(address);
        if (entry == null || address - entry.getKey() >= entry.getValue().size()) {
            throw refusal(operation, address, size);
        }
        Allocation allocation = entry.getValue();
        long offset = address - allocation.address();
        if (size > allocation.size() - offset) {
            throw new IllegalArgumentException(operation + " va=" + WdArguments.hex(address) + " size=" + size
                    + " runs past the end of allocation va=" + WdArguments.hex(allocation.address()) + " size="
                    + allocation.size());
        }
        return allocation;
    }

    private WdOwnershipException refusal(String operation, long address, long size) {
        Map.Entry<Long, Allocation> entry = live.floorEntry(address);
        if (entry != null && address - entry.getKey() < entry.getValue().size()) {
            return new WdOwnershipException(
                    address,
                    Reason.INTERIOR,
                    operation + " va=" + WdArguments.hex(address) + " is interior to allocation va="
                            + WdArguments.hex(entry.getKey()) + "; pass the start address");
        }
        if (freed.contains(address)) {
            return new WdOwnershipException(
                    address,
                    Reason.ALREADY_FREED,
                    operation + " va=" + WdArguments.hex(address) + " was already freed by this filemap bridge");
        }
        return new WdOwnershipException(
                address,
                Reason.FOREIGN,
                operation + " va=" + WdArguments.hex(address) + " size=" + size
                        + " is not a live allocation of this filemap bridge");
    }

    private void release(long offset, long length) {
        long start = offset;
        long end = offset + length;
        Map.Entry<Long, Long> before = freeExtents.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == offset) {
            start = before.getKey();
            freeExtents.remove(before.getKey());
        }
        Long after = freeExtents.get(end);
        if (after != null) {
            freeExtents.remove(end);
            end += after;
        }
        freeExtents.put(start, end - start);
    }

    private void checkOpen() {
        if (closed) {
            throw new WdClosedException("filemap bridge is closed");
        }
    }

    private static void deleteQuietly(Path temporary) {
        if (temporary != null) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // a temporary file left behind is the OS's to clean
            }
        }
    }

    /** For tests: bytes of the file in free extents. */
    synchronized long freeBytes() {
        return freeExtents.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public synchronized String toString() {
        return "FileMapBridge[capacity=" + capacity + ", live=" + live.size() + ", iovaBase="
                + WdArguments.hex(iovaBase) + (closed ? ", closed" : "") + "]";
    }
}
