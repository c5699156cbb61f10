package dev.wdmm.memory.alloc;

import dev.wdmm.memory.events.WdEvents;
import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Leaks are never silent: what a bridge still had allocated when it was closed, and a bridge (or
 * facade) that became unreachable without {@code close()}, are reported on the
 * {@value #LOGGER} {@link System.Logger} at {@code WARNING} (routed to {@code java.util.logging}
 * unless the application installs another {@link System.LoggerFinder}, e.g. SLF4J's or Log4j's
 * bridge) and as a {@value WdEvents#LEAK_REPORTED} JFR event.
 *
 * <p><b>Levels</b>, in the spirit of Netty's leak detector, from the system property
 * {@value #PROPERTY} read when a bridge is opened: {@code off} (no report, and an unreachable
 * bridge is not noticed: its memory stays held until the process ends), {@code simple} (the
 * default: reports, and an unreachable bridge's memory is released by a {@link Cleaner}),
 * {@code paranoid} (as simple, and the stack where each bridge was opened is recorded and shown
 * in its unreachable report; for the sites of the allocations themselves use checked mode,
 * {@link CheckedMode}, whose reports list them).
 *
 * <p>Thread-safe; nothing here throws.
 */
public final class LeakReports {
    /** The logger's name: {@value}. */
    public static final String LOGGER = "dev.wdmm.leak";

    /** The system property of the level: {@value} = {@code off}, {@code simple} or {@code paranoid}. */
    public static final String PROPERTY = "wd.mm.leak-detection";

    /** Most allocation sites listed in one report. */
    static final int MAX_SITES = 16;

    private static final System.Logger LOG = System.getLogger(LOGGER);
    private static final Cleaner CLEANER = Cleaner.create();

    /** How much leak detection does. */
    public enum Detection {
        /** Nothing reported; an unreachable bridge keeps its memory until the process ends. */
        OFF,
        /** Reports; an unreachable bridge is reported and its memory released. The default. */
        SIMPLE,
        /** As {@link #SIMPLE}, and where each bridge was opened is recorded for its report. */
        PARANOID
    }

    private LeakReports() {}

    /**
     * The level now, from {@value #PROPERTY} (default {@code simple}).
     *
     * @return the level
     * @throws IllegalArgumentException if the property is set to another value (named with the allowed ones)
     */
    public static Detection detection() {
        String value = System.getProperty(PROPERTY, "simple");
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "off" -> Detection.OFF;
            case "simple" -> Detection.SIMPLE;
            case "paranoid" -> Detection.PARANOID;
            default ->
                throw new IllegalArgumentException(PROPERTY + "=" + value + " must be one of off, simple, paranoid");
        };
    }

    /**
     * Reports what a bridge still had allocated when it was closed (nothing if {@code allocations
     * <= 0} or the level is {@code off}). Called by the closer after it released everything.
     *
     * @param owner names the bridge
     * @param allocations allocations outstanding
     * @param bytes their requested bytes
     * @param sites their sites (checked mode), or empty
     */
    public static void closed(String owner, long allocations, long bytes, List<AllocationSite> sites) {
        if (allocations <= 0 || detectionOrSimple() == Detection.OFF) {
            return;
        }
        WdEvents.leakReported(owner, "closed-with-outstanding", allocations, bytes);
        LOG.log(Level.WARNING, () -> {
            StringBuilder text = new StringBuilder(owner)
                    .append(" closed with allocations outstanding: count=")
                    .append(allocations)
                    .append(" bytes=")
                    .append(bytes)
                    .append("; all released. ");
            if (sites.isEmpty()) {
                text.append("Run with wd.mm.checked=true to see where they were allocated.");
            } else {
                text.append("Allocated at:");
                sites.stream()
                        .limit(MAX_SITES)
                        .forEach(site -> text.append("\n  ").append(site));
                if (sites.size() > MAX_SITES) {
                    text.append("\n  ... and ").append(sites.size() - MAX_SITES).append(" more");
                }
            }
            return text.toString();
        });
    }

    /**
     * Watches {@code resource} (a bridge or facade): if it becomes unreachable without
     * {@link Watch#close()}, a {@link Cleaner} reports it and runs {@code release}. At level
     * {@code off} nothing is watched and {@link Watch#close()} just runs {@code release}.
     *
     * @param resource what the caller holds; {@code release} must not refer to it
     * @param owner names it in reports
     * @param release gives back everything it owns; run at most once
     * @return the watch; its {@link Watch#close()} is the resource's explicit close
     * @throws NullPointerException if an argument is null
     */
    public static Watch watch(Object resource, String owner, Runnable release) {
        Objects.requireNonNull(resource, "resource is null");
        Objects.requireNonNull(owner, "owner is null");
        Objects.requireNonNull(release, "release is null");
        Detection detection = detectionOrSimple();
        Action action =
                new Action(owner, release, detection == Detection.PARANOID ? new Throwable("opened here") : null);
        Cleaner.Cleanable cleanable = detection == Detection.OFF ? null : CLEANER.register(resource, action);
        return new Watch(action, cleanable);
    }

    /** The level, or simple when the property is bad (a report must not fail; open checks it). */
    private static Detection detectionOrSimple() {
        try {
            return detection();
        } catch (IllegalArgumentException e) {
            return Detection.SIMPLE;
        }
    }

    /** The explicit close of a watched resource. Thread-safe; the release runs once. */
    public static final class Watch {
        private final Action action;
        private final Cleaner.Cleanable cleanable;

        private Watch(Action action, Cleaner.Cleanable cleanable) {
            this.action = action;
            this.cleanable = cleanable;
        }

        /**
         * Runs the release (once, whoever calls first: this or the cleaner) and stops watching;
         * returns after the release finished if this call ran it.
         */
        public void close() {
            action.explicit = true;
            if (cleanable != null) {
                cleanable.clean();
            } else {
                action.run();
            }
        }

        /**
         * Whether the release ran (by {@link #close()} or the cleaner).
         *
         * @return true once released
         */
        public boolean isReleased() {
            return action.ran.get();
        }
    }

    /** What the cleaner runs; refers to the release, never to the resource. */
    private static final class Action implements Runnable {
        private final String owner;
        private final Runnable release;
        private final Throwable site;
        private final AtomicBoolean ran = new AtomicBoolean();
        volatile boolean explicit;

        Action(String owner, Runnable release, Throwable site) {
            this.owner = owner;
            this.release = release;
            this.site = site;
        }

        @Override
        public void run() {
            if (!ran.compareAndSet(false, true)) {
                return;
            }
            if (!explicit) {
                WdEvents.leakReported(owner, "unreachable", -1, -1);
                String text = owner + " became unreachable without close(); releasing its memory now"
                        + (site == null ? " (set -D" + PROPERTY + "=paranoid to record where it was opened)" : "");
                if (site == null) {
                    LOG.log(Level.WARNING, text);
                } else {
                    LOG.log(Level.WARNING, text, site);
                }
            }
            try {
                release.run();
            } catch (RuntimeException | Error e) {
                if (explicit) {
                    throw e;
                }
                LOG.log(Level.ERROR, owner + ": releasing it after it became unreachable failed", e);
            }
        }
    }
}
