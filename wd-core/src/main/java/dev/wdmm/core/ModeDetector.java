package dev.wdmm.core;

import dev.wdmm.core.internal.Internals;
import java.nio.file.Path;

/**
 * Detects the machine's IOMMU mode (SPEC 3). The built-in detector reads sysfs and procfs under a
 * root directory ({@code /} on a real machine, a fixture tree in tests); an application may
 * supply its own (e.g. through the Guice module's {@code OptionalBinder}). Implementations must
 * be thread-safe.
 */
@FunctionalInterface
public interface ModeDetector {

    /**
     * Detects the mode now.
     *
     * @return the mode with its evidence
     * @throws WdDetectionException if a file exists but cannot be read or makes no sense; the
     *     message names the file and its content
     */
    Detection detect();

    /**
     * The built-in detector reading under {@code root}: {@code sys/class/uacce/*}/flags (bit 0
     * SVA, bit 1 no-IOMMU, bit 7 IOMMU), {@code sys/kernel/iommu_groups/*}/type ({@code identity}
     * = PASSTHROUGH, {@code DMA}/{@code DMA-FQ} = TRANSLATED), {@code sys/class/iommu/},
     * {@code proc/cmdline} ({@code iommu=pt}, {@code iommu.passthrough=1},
     * {@code intel_iommu=off}, {@code amd_iommu=off}),
     * {@code sys/module/vfio/parameters/enable_unsafe_noiommu_mode}, and the hugepage counts.
     * In that order of authority: an SVA-capable UACCE device means SVA; a no-IOMMU UACCE device
     * or VFIO's no-IOMMU mode means NO_IOMMU; IOMMU groups decide between TRANSLATED (any
     * {@code DMA}/{@code DMA-FQ}) and PASSTHROUGH; then the command line and IOMMU units;
     * nothing at all means NO_IOMMU.
     *
     * @param root the directory holding {@code sys/} and {@code proc/}
     * @return a detector; reading happens in {@link #detect()}
     */
    static ModeDetector fromRoot(Path root) {
        return Internals.sysfsDetector(root);
    }
}
