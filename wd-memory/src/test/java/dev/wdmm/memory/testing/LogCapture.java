package dev.wdmm.memory.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what a {@link System.Logger} logs, for tests: the JDK's default
 * {@link System.LoggerFinder} routes {@code System.getLogger(name)} to the
 * {@code java.util.logging} logger of that name, so a handler on it sees every record. Use in
 * try-with-resources; thread-safe.
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /**
     * Starts capturing the logger {@code name}.
     *
     * @param name the logger's name
     * @return the capture
     */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /**
     * The messages logged so far at {@code WARNING} or above, formatted, with the thrown's text
     * appended (so a recorded site shows).
     *
     * @return the messages, oldest first
     */
    public List<String> warnings() {
        synchronized (records) {
            return records.stream()
                    .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                    .map(r -> format(r))
                    .toList();
        }
    }

    private static String format(LogRecord record) {
        String text = record.getMessage();
        if (record.getParameters() != null && record.getParameters().length > 0) {
            text = java.text.MessageFormat.format(text, record.getParameters());
        }
        if (record.getThrown() != null) {
            StringBuilder trace = new StringBuilder(text).append('\n').append(record.getThrown());
            for (StackTraceElement frame : record.getThrown().getStackTrace()) {
                trace.append("\n\tat ").append(frame);
            }
            text = trace.toString();
        }
        return text;
    }

    /** Clears what was captured. */
    public void clear() {
        synchronized (records) {
            records.clear();
        }
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
