package com.example.filemap;

import dev.wdmm.api.IommuMode;
import dev.wdmm.api.WdMmBridge;
import dev.wdmm.spi.WdAvailability;
import dev.wdmm.spi.WdBackendProvider;
import dev.wdmm.spi.WdEnvironment;
import dev.wdmm.spi.WdOption;
import dev.wdmm.spi.WdOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code filemap} backend, an example of a third-party backend built on wd-api alone: its
 * memory is a file (a DAX file, a file on {@code /dev/shm}, or a temporary file by default) mapped
 * page-granular per allocation, and the device sees the file through a fixed window: the IOVA of
 * file offset {@code o} is {@code wd.mm.filemap.iova-base + o} (a device BAR or an IOMMU window the
 * platform set up). It serves every IOMMU mode at the lowest priority, so it is used only when
 * configured ({@code wd.mm.backend=filemap}). Stateless and thread-safe.
 */
public final class FileMapBackendProvider implements WdBackendProvider {
    /** The file to map; empty: a temporary file, deleted on close. */
    public static final WdOption<String> PATH =
            WdOption.text("wd.mm.filemap.path", "", "file whose pages back the memory (empty: a temporary file)");
    /** Bytes of the file the bridge manages. */
    public static final WdOption<Long> SIZE =
            WdOption.size("wd.mm.filemap.size", 64L << 20, 4096, 1L << 40, "bytes of the file to manage");
    /** The IOVA of file offset 0. */
    public static final WdOption<Long> IOVA_BASE = WdOption.size(
            "wd.mm.filemap.iova-base", 1L << 32, 0, Long.MAX_VALUE >> 1, "IOVA of file offset 0 (page-aligned)");

    private static final String PREFIX = "wd.mm.filemap.";
    private static final List<WdOption<?>> OPTIONS = List.of(PATH, SIZE, IOVA_BASE);

    /** Creates the provider; does no work. */
    public FileMapBackendProvider() {}

    @Override
    public String name() {
        return "filemap";
    }

    @Override
    public String description() {
        return "example third-party backend: pages of a mapped file, IOVA = wd.mm.filemap.iova-base + file offset";
    }

    @Override
    public Set<IommuMode> modes() {
        return EnumSet.allOf(IommuMode.class);
    }

    @Override
    public int priority() {
        return 1;
    }

    @Override
    public List<WdOption<?>> options() {
        return OPTIONS;
    }

    /** Available when the temporary directory (where the default file goes) is writable. */
    @Override
    public WdAvailability availability(WdEnvironment environment) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (!Files.isDirectory(tmp) || !Files.isWritable(tmp)) {
            return WdAvailability.unavailable(
                    "java.io.tmpdir=" + tmp + " is not a writable directory",
                    "set -Djava.io.tmpdir to a writable directory, or configure " + PATH.name());
        }
        return WdAvailability.available("default file in java.io.tmpdir=" + tmp);
    }

    /**
     * Opens a bridge over the configured file, created (or extended) to {@code wd.mm.filemap.size}.
     *
     * @throws IllegalArgumentException for an unknown {@code wd.mm.filemap.*} key or a bad value
     *     (a size or IOVA base that is not page-aligned)
     * @throws java.io.UncheckedIOException if the file cannot be created, sized or opened
     */
    @Override
    public WdMmBridge open(WdOptions options) {
        options.requireKnown(PREFIX, OPTIONS);
        long size = options.get(SIZE);
        long base = options.get(IOVA_BASE);
        if ((size & (FileMapBridge.PAGE - 1)) != 0) {
            throw new IllegalArgumentException(SIZE.name() + "=" + size + " must be a multiple of 4096");
        }
        if ((base & (FileMapBridge.PAGE - 1)) != 0) {
            throw new IllegalArgumentException(
                    IOVA_BASE.name() + "=0x" + Long.toHexString(base) + " must be 4096-aligned");
        }
        String path = options.get(PATH);
        return FileMapBridge.open(path.isEmpty() ? null : Path.of(path), size, base);
    }
}
