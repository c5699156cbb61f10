package dev.wdmm.core;

/**
 * The configuration keys of wd-mm. Every property name starts with {@value #PREFIX}; each has an
 * environment-variable form: upper case, with {@code .} and {@code -} as {@code _}
 * ({@code wd.mm.hugepage.retain-empty} is {@code WD_MM_HUGEPAGE_RETAIN_EMPTY}). A backend's options
 * are {@code wd.mm.<backend>.<option>}, declared by its provider; any other key under
 * {@code wd.mm.<backend>.} is refused before the backend is opened. Constants only.
 *
 * <p>Precedence, highest first: the API argument ({@link WdMm.Builder#backend}), the system
 * property, the environment variable, the properties file ({@value #CONFIG}, else
 * {@value #DEFAULT_CONFIG_FILE} in the working directory if present). Explicit configuration
 * always beats detection.
 */
public final class WdMmProperties {
    /** The prefix of every wd-mm property: {@value}. */
    public static final String PREFIX = "wd.mm.";

    /** The backend to use, by name ({@code sva}, {@code noiommu}, ...): {@value}. */
    public static final String BACKEND = "wd.mm.backend";

    /** Environment variable form of {@link #BACKEND}: {@value}. */
    public static final String BACKEND_ENV = "WD_MM_BACKEND";

    /**
     * Set to {@code true} to use the backend named by {@link #BACKEND} even where it does not serve
     * the detected IOMMU mode (the detection is wrong, or a test wants it): {@value}. Without it
     * such a backend is refused with the reason, since its IOVAs would be wrong for the device
     * here (e.g. physical addresses under a translating IOMMU). A forced choice is logged at
     * {@code WARNING} and shown by {@code wd-mm doctor}. It never overrides an unavailable
     * backend. Default {@code false}; text {@code true} or {@code false}.
     */
    public static final String BACKEND_FORCE = "wd.mm.backend.force";

    /** Environment variable form of {@link #BACKEND_FORCE}: {@value}. */
    public static final String BACKEND_FORCE_ENV = "WD_MM_BACKEND_FORCE";

    /** Path of a properties file with {@code wd.mm.*} entries: {@value}. */
    public static final String CONFIG = "wd.mm.config";

    /** Environment variable form of {@link #CONFIG}: {@value}. */
    public static final String CONFIG_ENV = "WD_MM_CONFIG";

    /** The properties file read from the working directory when {@link #CONFIG} is not set: {@value}. */
    public static final String DEFAULT_CONFIG_FILE = "wd-mm.properties";

    /** Prefix of environment variables mapped to {@code wd.mm.*} options ({@code WD_MM_SVA_PREFAULT}): {@value}. */
    public static final String ENV_PREFIX = "WD_MM_";

    private WdMmProperties() {}
}
