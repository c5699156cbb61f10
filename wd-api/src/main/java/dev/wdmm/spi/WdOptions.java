package dev.wdmm.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Options handed to {@link WdBackendProvider#open}: property names mapped to typed values or to
 * their text form (from system properties, environment or a properties file), read through
 * {@link #get(WdOption)}. Immutable and thread-safe.
 */
public final class WdOptions {
    private static final WdOptions EMPTY = new WdOptions(Map.of());

    private final Map<String, Object> values;

    private WdOptions(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * No options: every {@link #get} returns the default.
     *
     * @return the empty options
     */
    public static WdOptions empty() {
        return EMPTY;
    }

    /**
     * Options from text values, e.g. the {@code wd.mm.*} entries of a properties file. Values are
     * parsed when read, so an invalid value fails where its option is read, naming it.
     *
     * @param text property name to text value
     * @return the options
     */
    public static WdOptions fromText(Map<String, String> text) {
        Map<String, Object> copy = new HashMap<>();
        text.forEach((key, value) -> copy.put(
                Objects.requireNonNull(key, "key is null"),
                Objects.requireNonNull(value, "value of " + key + " is null")));
        return new WdOptions(copy);
    }

    /**
     * Returns a copy with one more typed value.
     *
     * @param <T> the value type
     * @param option the option
     * @param value its value, not null
     * @return new options; this one is unchanged
     */
    public <T> WdOptions with(WdOption<T> option, T value) {
        Objects.requireNonNull(option, "option is null");
        Objects.requireNonNull(value, "value of " + option.name() + " is null");
        Map<String, Object> copy = new HashMap<>(values);
        copy.put(option.name(), value);
        return new WdOptions(copy);
    }

    /**
     * Returns a copy with the entries of {@code other} added (they win over these).
     *
     * @param other more options
     * @return new options
     */
    public WdOptions with(WdOptions other) {
        Map<String, Object> copy = new HashMap<>(values);
        copy.putAll(other.values);
        return new WdOptions(copy);
    }

    /**
     * The value of an option: the typed value set, the parsed text set, or the default.
     *
     * @param <T> the value type
     * @param option the option
     * @return the value, never null
     * @throws IllegalArgumentException if the text set for it does not parse, or a typed value
     *     of the wrong type was set; the message names the option and the value
     */
    public <T> T get(WdOption<T> option) {
        Object value = values.get(option.name());
        if (value == null) {
            return option.defaultValue();
        }
        if (value instanceof String text && !(option.defaultValue() instanceof String)) {
            return option.parse(text);
        }
        Class<?> type = option.defaultValue().getClass();
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(option.name() + "=" + value + " must be a " + type.getSimpleName());
        }
        @SuppressWarnings("unchecked")
        T typed = (T) value;
        return typed;
    }

    /**
     * Whether a value (typed or text) was set for the name.
     *
     * @param name a property name
     * @return true if set
     */
    public boolean contains(String name) {
        return values.containsKey(name);
    }

    /**
     * The value set for a name, in text form (a typed value as {@link String#valueOf}), for
     * messages.
     *
     * @param name a property name
     * @return the value set, or empty if none
     */
    public java.util.Optional<String> text(String name) {
        return java.util.Optional.ofNullable(values.get(name)).map(String::valueOf);
    }

    /**
     * The names set, sorted.
     *
     * @return an unmodifiable view
     */
    public java.util.Set<String> names() {
        return values.keySet();
    }

    /**
     * Refuses names under {@code prefix} that are not among {@code known}, so that a misspelt
     * option of a backend fails loudly instead of being ignored. Names outside the prefix (other
     * backends' options, general {@code wd.mm.*} settings) are not looked at.
     *
     * @param prefix the namespace checked, e.g. {@code "wd.mm.sva."}
     * @param known the options valid under that prefix; may be empty (then every name under the
     *     prefix is refused)
     * @throws IllegalArgumentException naming the first unknown name (sorted order) with its value
     *     and listing the known names, e.g. {@code wd.mm.sva.prefualt=true is not an option under
     *     wd.mm.sva.; known: [wd.mm.sva.prefault]}
     * @throws NullPointerException if {@code prefix} or {@code known} is null
     */
    public void requireKnown(String prefix, Collection<? extends WdOption<?>> known) {
        Objects.requireNonNull(prefix, "prefix is null");
        Objects.requireNonNull(known, "known is null");
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            String name = entry.getKey();
            if (name.startsWith(prefix)
                    && known.stream().noneMatch(option -> option.name().equals(name))) {
                String list = known.isEmpty()
                        ? "none (this namespace has no options)"
                        : known.stream().map(WdOption::name).sorted().toList().toString();
                throw new IllegalArgumentException(
                        name + "=" + entry.getValue() + " is not an option under " + prefix + "; known: " + list);
            }
        }
    }

    /**
     * Parses a size: decimal with an optional {@code k}/{@code m}/{@code g} suffix (1024-based).
     *
     * @param name the option name, for the message
     * @param text the text
     * @return bytes
     * @throws IllegalArgumentException if the text is not such a size or overflows
     */
    public static long parseSize(String name, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> shift = 10;
                case 'm' -> shift = 20;
                case 'g' -> shift = 30;
                default -> shift = 0;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long value = Long.parseLong(digits);
            if (value < 0 || value > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException(name + "=" + text + " must be a size >= 0 that fits 63 bits");
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + text + " must be a size such as 4096, 64k, 2m or 1g", e);
        }
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
