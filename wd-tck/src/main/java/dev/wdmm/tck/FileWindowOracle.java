package dev.wdmm.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * IOVA = window base + offset in the mapped file, the offset read from {@code /proc/self/maps} by
 * the kit itself (each line: {@code start-end perms offset dev inode path}, hexadecimal numbers).
 * Stateless: the table is read per question.
 */
final class FileWindowOracle implements IovaOracle {
    static final Path MAPS = Path.of("/proc/self/maps");

    private final Path file;
    private final long iovaBase;

    FileWindowOracle(Path file, long iovaBase) {
        this.file = java.util.Objects.requireNonNull(file, "file is null");
        this.iovaBase = iovaBase;
    }

    @Override
    public String name() {
        return "file window " + file + " at iova " + Hex.of(iovaBase);
    }

    @Override
    public Optional<Unavailable> unavailability() {
        return Files.isReadable(MAPS)
                ? Optional.empty()
                : Optional.of(new Unavailable(MAPS + " is not readable", "run on Linux with /proc mounted"));
    }

    @Override
    public long iovaOf(long address) {
        String path = realPath();
        for (String line : lines()) {
            String[] fields = line.trim().split("\\s+", 6);
            String[] range = fields[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (Long.compareUnsigned(address, start) < 0 || Long.compareUnsigned(address, end) >= 0) {
                continue;
            }
            String mapped = fields.length == 6 ? fields[5] : "";
            if (!mapped.equals(path)) {
                throw new AssertionError("va=" + Hex.of(address) + " is mapped from '" + mapped + "', not from " + path
                        + " (" + MAPS + ": " + line + ")");
            }
            return iovaBase + Long.parseUnsignedLong(fields[2], 16) + (address - start);
        }
        throw new AssertionError("va=" + Hex.of(address) + " is not mapped at all (" + MAPS + ")");
    }

    private String realPath() {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize().toString();
        }
    }

    private static List<String> lines() {
        try {
            return Files.readAllLines(MAPS);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + MAPS, e);
        }
    }
}
