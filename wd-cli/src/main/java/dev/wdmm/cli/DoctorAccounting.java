package dev.wdmm.cli;

import dev.wdmm.api.WdStats;
import dev.wdmm.core.ConfigSources;
import dev.wdmm.core.Discovery;
import dev.wdmm.core.WdMm;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * What {@code wd-mm doctor --open} adds: the selected backend's bridge opened briefly, one probe
 * allocation made, the bridge's accounting ({@link WdStats}) taken while the probe is live, then
 * everything freed and closed. Immutable; serialized as {@code "accounting"} by {@code --json}.
 *
 * @param backend the backend opened, or null if none was selected
 * @param probeBytes the probe allocation's size
 * @param stats the accounting while the probe was live, or null if opening or the probe failed
 * @param error why the bridge could not be opened or the probe failed, or null
 */
record DoctorAccounting(String backend, long probeBytes, WdStats stats, String error) {
    /** The probe's size: one page. */
    static final long PROBE_BYTES = 4096;

    /**
     * Opens the selected backend, probes and closes it.
     *
     * @param root where detection reads sys/ and proc/
     * @param discovery the providers
     * @param sources the configuration
     * @return the accounting, or the error
     */
    static DoctorAccounting probe(Path root, Discovery discovery, ConfigSources sources) {
        String backend = null;
        try (WdMm mm =
                WdMm.builder().root(root).discovery(discovery).sources(sources).open()) {
            backend = mm.selection().selected().orElse(null);
            MemorySegment probe = mm.bridge().alloc(PROBE_BYTES);
            WdStats stats = mm.stats();
            mm.bridge().free(probe);
            return new DoctorAccounting(backend, PROBE_BYTES, stats, null);
        } catch (RuntimeException e) {
            return new DoctorAccounting(
                    backend, PROBE_BYTES, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * One line: {@code accounting (--open): backend=sva probe=4096 bytes: owner="sva bridge" ...}.
     *
     * @return the line, with a newline
     */
    String text() {
        return "accounting (--open, one probe of " + probeBytes + " bytes live): backend=" + backend + " "
                + (stats != null ? stats.toString() : "failed: " + error) + "\n";
    }
}
