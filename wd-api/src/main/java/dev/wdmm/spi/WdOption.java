package dev.wdmm.spi;

import java.util.Objects;
import java.util.function.Function;

/**
 * A typed option key: its property name ({@code wd.mm.<backend>.<key>}), a default, and how to
 * parse it from text (system properties, environment, properties files). Immutable and
 * thread-safe.
 *
 * @param <T> the value type
 * @param name the property name, e.g. {@code wd.mm.sva.prefault}
 * @param defaultValue the value when the option is not set; never null
 * @param parser parses the text form; throws {@link IllegalArgumentException} on bad text
 * @param description what the option does, for documentation
 */
public record WdOption<T>(String name, T defaultValue, Function<String, T> parser, String description) {
    /** Checks for nulls and the name's prefix. */
    public WdOption {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(defaultValue, "defaultValue is null");
        Objects.requireNonNull(parser, "parser is null");
        Objects.requireNonNull(description, "description is null");
        if (!name.startsWith("wd.mm.")) {
            throw new IllegalArgumentException("name=" + name + " must start with wd.mm.");
        }
    }

    /**
     * A boolean option: text {@code true}/{@code false} (any case).
     *
     * @param name the property name
     * @param defaultValue the default
     * @param description what it does
     * @return the option
     */
    public static WdOption<Boolean> bool(String name, boolean defaultValue, String description) {
        return new WdOption<>(
                name,
                defaultValue,
                text -> switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException(name + "=" + text + " must be true or false");
                },
                description);
    }

    /**
     * A size option in bytes: a decimal number with an optional {@code k}, {@code m} or
     * {@code g} suffix (powers of 1024), within {@code [min, max]}.
     *
     * @param name the property name
     * @param defaultValue the default
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @param description what it does
     * @return the option
     */
    public static WdOption<Long> size(String name, long defaultValue, long min, long max, String description) {
        return new WdOption<>(
                name,
                defaultValue,
                text -> {
                    long value = WdOptions.parseSize(name, text);
                    if (value < min || value > max) {
                        throw new IllegalArgumentException(
                                name + "=" + text + " must be in [" + min + ", " + max + "]");
                    }
                    return value;
                },
                description);
    }

    /**
     * A text option.
     *
     * @param name the property name
     * @param defaultValue the default
     * @param description what it does
     * @return the option
     */
    public static WdOption<String> text(String name, String defaultValue, String description) {
        return new WdOption<>(name, defaultValue, Function.identity(), description);
    }

    /**
     * Parses text into a value of this option.
     *
     * @param text the text form
     * @return the value
     * @throws IllegalArgumentException naming the option and the text if it does not parse
     */
    public T parse(String text) {
        Objects.requireNonNull(text, "text is null");
        return parser.apply(text);
    }
}
