package dev.wdmm.core.internal;

import dev.wdmm.core.Detection.HugepagePool;
import dev.wdmm.core.WdDetectionException;
import dev.wdmm.memory.nativeio.HugepageCounts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The hugepage pools under {@code sys/kernel/mm/hugepages}, through wd-memory's one reader. Stateless. */
final class Hugepages {
    private Hugepages() {}

    static List<HugepagePool> read(Path root, List<String> evidence) {
        Path dir = root.resolve(HugepageCounts.RELATIVE);
        List<HugepageCounts.Pool> counts;
        try {
            counts = HugepageCounts.read(dir);
        } catch (IllegalStateException e) {
            throw new WdDetectionException(e.getMessage(), e);
        }
        List<HugepagePool> pools = new ArrayList<>();
        for (HugepageCounts.Pool count : counts) {
            pools.add(new HugepagePool(count.pageSize(), count.total(), count.free()));
            evidence.add(root.relativize(dir.resolve(count.directoryName())) + ": nr_hugepages=" + count.total()
                    + " free_hugepages=" + count.free());
        }
        return pools;
    }
}
