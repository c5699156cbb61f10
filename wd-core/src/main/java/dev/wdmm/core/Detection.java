package dev.wdmm.core;

import dev.wdmm.api.IommuMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The result of IOMMU mode detection: the mode, the evidence for it (one line per file that
 * said something: {@code sys/class/uacce/zip0/flags=0x1: bit 0 set: SVA}) and the hugepage
 * pools seen. Immutable and thread-safe.
 *
 * @param root the root directory the files were read under
 * @param mode the detected mode
 * @param evidence what each file said, in reading order; never empty
 * @param hugepages hugepage pools sorted by page size, possibly empty
 */
public record Detection(Path root, IommuMode mode, List<String> evidence, List<HugepagePool> hugepages) {
    /** Checks for nulls and copies the lists. */
    public Detection {
        Objects.requireNonNull(root, "root is null");
        Objects.requireNonNull(mode, "mode is null");
        evidence = List.copyOf(evidence);
        hugepages = List.copyOf(hugepages);
    }

    /**
     * One hugepage pool: {@code sys/kernel/mm/hugepages/hugepages-2048kB}.
     *
     * @param pageSize bytes per page
     * @param total {@code nr_hugepages}
     * @param free {@code free_hugepages}
     */
    public record HugepagePool(long pageSize, long total, long free) {
        @Override
        public String toString() {
            return (pageSize >> 10) + " kB pages: nr_hugepages=" + total + " free_hugepages=" + free;
        }
    }
}
