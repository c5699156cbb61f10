package dev.wdmm.backend.vfio;

import java.util.Arrays;
import java.util.Locale;

/** How the VFIO backend chooses a chunk's IOVA ({@code wd.mm.vfio.iova.mode}). */
enum IovaMode {
    /** From the backend's IOVA allocator, inside the usable ranges and {@code [iova.base, iova.limit)}. */
    ALLOCATED,
    /** IOVA == virtual address; a chunk whose addresses lie outside the usable ranges is refused. */
    VA;

    /** The option's text form. */
    String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode named {@code text}.
     *
     * @throws IllegalArgumentException naming the value and the known modes
     */
    static IovaMode of(String text) {
        return Arrays.stream(values())
                .filter(m -> m.text().equals(text.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        VfioBackendProvider.IOVA_MODE.name() + "=" + text + " must be one of "
                                + Arrays.stream(values()).map(IovaMode::text).toList()));
    }
}
