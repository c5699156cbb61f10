package dev.wdmm.core.internal;

import dev.wdmm.core.Detection.HugepagePool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the hugepage pools under {@code sys/kernel/mm/hugepages}. Stateless. */
final class Hugepages {
    private Hugepages() {}

    static List<HugepagePool> read(Path root, List<String> evidence) {
        List<HugepagePool> pools = new ArrayList<>();
        for (Path dir : SysfsModeDetector.of(root).children("sys/kernel/mm/hugepages")) {
            String name = dir.getFileName().toString();
            if (!name.startsWith("hugepages-") || !name.endsWith("kB")) {
                continue;
            }
            long kb = SysfsModeDetector.parseInteger(
                    dir, name.substring("hugepages-".length(), name.length() - 2), "a directory named hugepages-<n>kB");
            long total = count(dir.resolve("nr_hugepages"));
            long free = count(dir.resolve("free_hugepages"));
            HugepagePool pool = new HugepagePool(kb << 10, total, free);
            pools.add(pool);
            evidence.add(root.relativize(dir) + ": nr_hugepages=" + total + " free_hugepages=" + free);
        }
        return pools;
    }

    private static long count(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        return SysfsModeDetector.parseInteger(file, SysfsModeDetector.read(file), "a page count");
    }
}
