package dev.wdmm.core.internal;

import static java.util.Objects.requireNonNull;

import dev.wdmm.api.IommuMode;
import dev.wdmm.core.Detection;
import dev.wdmm.core.ModeDetector;
import dev.wdmm.core.WdDetectionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** The built-in detector: reads sysfs and procfs under a root. Stateless apart from the root; thread-safe. */
final class SysfsModeDetector implements ModeDetector {
    static final int UACCE_SVA = 1;
    static final int UACCE_NOIOMMU = 1 << 1;
    static final int UACCE_IOMMU = 1 << 7;

    private final Path root;

    private SysfsModeDetector(Path root) {
        this.root = requireNonNull(root, "root is null");
    }

    static SysfsModeDetector of(Path root) {
        return new SysfsModeDetector(root);
    }

    @Override
    public Detection detect() {
        List<String> evidence = new ArrayList<>();
        IommuMode uacce = uacce(evidence);
        boolean vfioNoIommu = vfioNoIommu(evidence);
        IommuMode groups = groups(evidence);
        IommuMode mode = uacce != null
                ? uacce
                : vfioNoIommu ? IommuMode.NO_IOMMU : groups != null ? groups : fromCommandLineAndUnits(evidence);
        List<Detection.HugepagePool> hugepages = Hugepages.read(root, evidence);
        evidence.add("=> " + mode);
        return new Detection(root, mode, evidence, hugepages);
    }

    private IommuMode uacce(List<String> evidence) {
        boolean sva = false;
        boolean noIommu = false;
        List<Path> devices = children("sys/class/uacce");
        if (devices.isEmpty()) {
            evidence.add("sys/class/uacce: no UACCE devices");
        }
        for (Path device : devices) {
            Path file = device.resolve("flags");
            Optional<String> text = Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
            if (text.isEmpty()) {
                evidence.add(relative(device) + ": no flags file");
                continue;
            }
            long flags = parseInteger(file, text.get(), "an integer (UACCE flags, decimal or 0x hex)");
            StringBuilder meaning = new StringBuilder();
            if ((flags & UACCE_SVA) != 0) {
                sva = true;
                meaning.append(" bit0=SVA");
            }
            if ((flags & UACCE_NOIOMMU) != 0) {
                noIommu = true;
                meaning.append(" bit1=no-IOMMU");
            }
            if ((flags & UACCE_IOMMU) != 0) {
                meaning.append(" bit7=IOMMU");
            }
            evidence.add(
                    relative(file) + "=" + text.get().trim() + ":" + (meaning.isEmpty() ? " no mode bits" : meaning));
        }
        return sva ? IommuMode.SVA : noIommu ? IommuMode.NO_IOMMU : null;
    }

    private boolean vfioNoIommu(List<String> evidence) {
        Path file = root.resolve("sys/module/vfio/parameters/enable_unsafe_noiommu_mode");
        if (!Files.exists(file)) {
            evidence.add("sys/module/vfio/parameters/enable_unsafe_noiommu_mode: absent (VFIO no-IOMMU mode off)");
            return false;
        }
        String text = read(file).trim();
        boolean on = switch (text) {
            case "Y", "y", "1" -> true;
            case "N", "n", "0" -> false;
            default -> throw malformed(file, text, "Y, N, 1 or 0");
        };
        evidence.add(relative(file) + "=" + text + (on ? ": VFIO no-IOMMU mode on" : ": VFIO no-IOMMU mode off"));
        return on;
    }

    private IommuMode groups(List<String> evidence) {
        int identity = 0;
        int translated = 0;
        List<Path> all = children("sys/kernel/iommu_groups");
        if (all.isEmpty()) {
            evidence.add("sys/kernel/iommu_groups: no IOMMU groups");
        }
        for (Path group : all) {
            Path file = group.resolve("type");
            if (!Files.exists(file)) {
                continue;
            }
            String type = read(file).trim();
            switch (type) {
                case "identity" -> identity++;
                case "DMA", "DMA-FQ" -> translated++;
                case "blocked", "unmanaged" -> {}
                default -> throw malformed(file, type, "one of identity, DMA, DMA-FQ, blocked, unmanaged");
            }
            evidence.add(relative(file) + "=" + type);
        }
        if (translated > 0) {
            evidence.add("iommu_groups: " + translated + " DMA/DMA-FQ, " + identity + " identity: TRANSLATED");
            return IommuMode.TRANSLATED;
        }
        if (identity > 0) {
            evidence.add("iommu_groups: " + identity + " identity: PASSTHROUGH");
            return IommuMode.PASSTHROUGH;
        }
        return null;
    }

    private IommuMode fromCommandLineAndUnits(List<String> evidence) {
        List<Path> units = children("sys/class/iommu");
        evidence.add(
                units.isEmpty()
                        ? "sys/class/iommu: no IOMMU units"
                        : "sys/class/iommu: "
                                + units.stream()
                                        .map(p -> p.getFileName().toString())
                                        .toList());
        Path cmdline = root.resolve("proc/cmdline");
        List<String> words =
                Files.exists(cmdline) ? List.of(read(cmdline).trim().split("\\s+")) : List.of();
        for (String word : words) {
            String lower = word.toLowerCase(Locale.ROOT);
            if (lower.equals("intel_iommu=off") || lower.equals("amd_iommu=off")) {
                evidence.add("proc/cmdline has " + word + ": IOMMU disabled");
                return IommuMode.NO_IOMMU;
            }
        }
        boolean pt = words.stream().anyMatch(w -> w.equals("iommu=pt") || w.equals("iommu.passthrough=1"));
        if (pt) {
            evidence.add("proc/cmdline has " + (words.contains("iommu=pt") ? "iommu=pt" : "iommu.passthrough=1")
                    + (units.isEmpty() ? " but no IOMMU unit exists" : ": identity domains"));
            return units.isEmpty() ? IommuMode.NO_IOMMU : IommuMode.PASSTHROUGH;
        }
        if (!units.isEmpty()) {
            evidence.add("IOMMU units without groups or iommu=pt: default DMA domains assumed");
            return IommuMode.TRANSLATED;
        }
        evidence.add(Files.exists(cmdline) ? "proc/cmdline: no IOMMU option" : "proc/cmdline: absent");
        return IommuMode.NO_IOMMU;
    }

    List<Path> children(String relative) {
        Path dir = root.resolve(relative);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new WdDetectionException("dir=" + dir + " cannot be listed: " + e, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            throw new WdDetectionException("file=" + file + " cannot be read: " + e, e);
        }
    }

    static long parseInteger(Path file, String text, String rule) {
        String t = text.trim();
        try {
            long value =
                    t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if (value < 0) {
                throw malformed(file, text, rule + " >= 0");
            }
            return value;
        } catch (NumberFormatException e) {
            throw malformed(file, text, rule);
        }
    }

    static WdDetectionException malformed(Path file, String text, String rule) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return new WdDetectionException("file=" + file + " content='" + shown.strip() + "' must be " + rule, null);
    }

    private String relative(Path path) {
        return root.relativize(path).toString();
    }

    @Override
    public String toString() {
        return "SysfsModeDetector[root=" + root + "]";
    }
}
