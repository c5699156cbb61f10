package dev.wdmm.backend.vfio;

import dev.wdmm.memory.nativeio.VfioIommuInfo;
import dev.wdmm.memory.nativeio.VfioIommuInfo.IovaRange;
import java.util.List;

/**
 * A container for host tests: the kernel's type1 v2 rules ({@link Type1Rules}) in place of the
 * ioctls, an x86 IOMMU's usable ranges (everything but the MSI window, 39-bit width), no device.
 */
final class RuleContainer implements Container {
    static final VfioIommuInfo X86 = new VfioIommuInfo(
            0x40201000L, List.of(new IovaRange(0, 0xfedfffffL), new IovaRange(0xfef00000L, 0x7fffffffffL)), 65535);

    final Type1Rules kernel = new Type1Rules(X86, 65535);
    boolean closed;

    /** A bridge over a new rule container, IOVAs allocated in [4 GiB, 512 GiB). */
    static VfioBridge bridge() {
        return VfioBridge.over(new RuleContainer(), IovaAllocator.over(X86.ranges(), 1L << 32, 1L << 39));
    }

    @Override
    public void map(long vaddr, long iova, long size) {
        kernel.map(vaddr, iova, size);
    }

    @Override
    public long unmap(long iova, long size) {
        return kernel.unmap(iova, size);
    }

    @Override
    public String device() {
        return "0000:00:03.0";
    }

    @Override
    public int deviceFd() {
        return -1;
    }

    @Override
    public VfioIommuInfo info() {
        return X86;
    }

    @Override
    public void close() {
        closed = true;
    }
}
