package dev.wdmm.core.internal;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.api.WdStats;
import dev.wdmm.core.Selection;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import jdk.jfr.FlightRecorder;

/**
 * wd-core's JFR events: the backend selected, and a periodic snapshot of every open facade's
 * accounting (registered with {@link FlightRecorder#addPeriodicEvent}, so it costs nothing unless
 * a recording enables {@value #BRIDGE_STATS}; facades are held weakly). Thread-safe.
 */
public final class StatsEvents {
    /** The backend selection: fields backend, mode, configuredBy, reason. */
    public static final String BACKEND_SELECTED = "dev.wdmm.BackendSelected";
    /** A periodic accounting snapshot (default period 10 s): fields backend, owner, liveAllocations, .... */
    public static final String BRIDGE_STATS = "dev.wdmm.BridgeStats";

    private static final ConcurrentLinkedQueue<Watched> OPEN = new ConcurrentLinkedQueue<>();

    static {
        FlightRecorder.addPeriodicEvent(BridgeStatsEvent.class, StatsEvents::emitAll);
    }

    private StatsEvents() {}

    private record Watched(String backend, WeakReference<WdMmBridge> bridge) {}

    /**
     * Emits the selection's event.
     *
     * @param selection the outcome
     */
    static void selected(Selection selection) {
        BackendSelectedEvent e = new BackendSelectedEvent();
        if (e.shouldCommit()) {
            e.backend = selection.selected().orElse("none");
            e.mode = String.valueOf(selection.mode());
            e.configuredBy = selection.configuredBy();
            e.reason = selection.reason();
            e.commit();
        }
    }

    /**
     * Includes an open bridge in the periodic snapshots until it is closed or collected.
     *
     * @param backend its backend's name
     * @param bridge the bridge
     */
    public static void watch(String backend, WdMmBridge bridge) {
        OPEN.add(new Watched(backend, new WeakReference<>(bridge)));
    }

    /**
     * Stops including a bridge.
     *
     * @param bridge the bridge
     */
    public static void unwatch(WdMmBridge bridge) {
        OPEN.removeIf(w -> w.bridge().get() == bridge || w.bridge().get() == null);
    }

    private static void emitAll() {
        for (Iterator<Watched> it = OPEN.iterator(); it.hasNext(); ) {
            Watched watched = it.next();
            WdMmBridge bridge = watched.bridge().get();
            if (bridge == null) {
                it.remove();
                continue;
            }
            WdStats stats = bridge.stats();
            BridgeStatsEvent e = new BridgeStatsEvent();
            e.backend = watched.backend();
            e.owner = stats.owner();
            e.liveAllocations = stats.liveAllocations();
            e.liveBytes = stats.liveBytes();
            e.totalAllocations = stats.totalAllocations();
            e.allocationFailures = stats.allocationFailures();
            e.heldBytes = stats.heldBytes();
            e.peakHeldBytes = stats.peakHeldBytes();
            e.deviceMappings = stats.deviceMappings();
            e.commit();
        }
    }
}
