package dev.wdmm.rig;

import dev.wdmm.api.WdIovaLookup;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdRegistration;
import dev.wdmm.api.WdRegistrationException;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdOptions;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory the application owns, registered with a backend's bridge, as a DMA subject (issue 16):
 * a page-aligned {@link Arena} buffer of {@link #REGISTERED} bytes, never allocated by the bridge,
 * is {@linkplain WdRegistration#register registered} (noiommu: a long-term pin and pagemap; vfio:
 * one {@code VFIO_IOMMU_MAP_DMA}); buffers are carved from it at interior offsets (a bump cursor
 * that starts {@link #START_BEFORE_PAGE} bytes before a page boundary and advances by an odd gap)
 * and their device addresses come from the bridge's {@code iovaMap}. Every map is checked back
 * through {@link WdIovaLookup#addressOf}: the IOVA must lead to the buffer's own address. Not
 * thread-safe.
 */
final class RegisteredSubject implements DmaSubject {
    /** Registered bytes: 4 MiB. */
    static final long REGISTERED = 4L << 20;

    private static final long START_BEFORE_PAGE = 1_001;
    private static final long GAP = 333;

    private final String name;
    private final String mode;
    private final WdMmBridge bridge;
    private final Arena arena;
    private final MemorySegment memory;
    private final WdIovaLookup lookup;
    private long cursor;
    private long lookups;
    private boolean closed;

    private RegisteredSubject(String name, String mode, WdMmBridge bridge, Arena arena, MemorySegment memory) {
        this.name = name;
        this.mode = mode;
        this.bridge = bridge;
        this.arena = arena;
        this.memory = memory;
        this.lookup = bridge.unwrap(WdIovaLookup.class)
                .orElseThrow(() -> new RigException("bridge " + bridge + " offers no WdIovaLookup"));
        this.cursor = RawPagemap.PAGE - START_BEFORE_PAGE;
    }

    /** Opens {@code provider}'s bridge and registers a fresh Arena buffer with it. */
    static RegisteredSubject open(String name, WdBackendProvider provider, WdOptions options, String mode) {
        WdMmBridge bridge = provider.open(options);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment memory = arena.allocate(REGISTERED, RawPagemap.PAGE);
            WdRegistration registration = bridge.unwrap(WdRegistration.class)
                    .orElseThrow(() -> new RigException("bridge " + bridge + " offers no WdRegistration"));
            registration.register(memory);
            System.out.println("INFO " + name + " registered an Arena buffer va=0x" + Long.toHexString(memory.address())
                    + " bytes=" + memory.byteSize() + " with backend=" + provider.name() + ", held by: "
                    + registration.holding());
            return new RegisteredSubject(name, mode, bridge, arena, memory);
        } catch (RuntimeException e) {
            bridge.close();
            arena.close();
            throw e;
        }
    }

    WdMmBridge bridge() {
        return bridge;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String mode() {
        return mode;
    }

    /** A slice of the registered buffer; the cursor wraps to its start when full. */
    @Override
    public MemorySegment alloc(long size) {
        if (size > memory.byteSize() / 2) {
            throw new RigException("size=" + size + " must be <= " + memory.byteSize() / 2);
        }
        if (cursor + size > memory.byteSize()) {
            cursor = GAP;
        }
        MemorySegment slice = memory.asSlice(cursor, size);
        cursor += size + GAP;
        return slice;
    }

    /** Nothing to free: the buffer is the application's until the subject closes. */
    @Override
    public void free(MemorySegment segment) {}

    /** The bridge's IOVA of the range, checked back through the reverse lookup. */
    @Override
    public long map(MemorySegment segment, long size) {
        long iova = bridge.iovaMap(segment, size);
        long back = lookup.addressOf(iova);
        if (back != segment.address()) {
            throw new RigException("iova->va of iova=0x" + Long.toHexString(iova) + " gave va=0x"
                    + Long.toHexString(back) + ", not the mapped va=0x" + Long.toHexString(segment.address()));
        }
        lookups++;
        return iova;
    }

    @Override
    public void unmap(MemorySegment segment, long iova, long size) {
        bridge.iovaUnmap(segment, iova, size);
    }

    /** For the PASS line: the registered bytes and how many maps were checked back through the lookup. */
    String describe() {
        return "registered-bytes=" + memory.byteSize() + " iova-to-va-checked=" + lookups;
    }

    /**
     * Unregisters (refused as documented if a held buffer is still mapped: then the bridge's close
     * releases the registration), closes the bridge, then frees the buffer.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            bridge.unwrap(WdRegistration.class).orElseThrow().unregister(memory);
        } catch (WdRegistrationException live) {
            System.out.println("INFO " + name + " unregister refused as documented: " + live.getMessage());
        } finally {
            bridge.close();
            arena.close();
        }
    }
}
