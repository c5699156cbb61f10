package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The whole bridge contract over {@link WdMmBridge#of}, with callbacks whose {@code free} ends the
 * segment's scope (an arena per allocation): with such callbacks a callback bridge keeps every
 * rule, including "segments of a closed bridge throw on access", which holds because close passes
 * every outstanding allocation to {@code free}.
 */
class CallbackBridgeContractTest extends WdMmBridgeContractTest {

    /** The callbacks map identically (IOVA = address). */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.identity();
    }

    private CallbackUsr.ArenaPerAllocation usr;

    @Override
    protected WdMmBridge newBridge() {
        usr = new CallbackUsr.ArenaPerAllocation();
        return CallbackUsr.ArenaPerAllocation.bridge(usr);
    }

    @Test
    void closeGivesEveryOutstandingAllocationToTheFreeCallbackOnce() {
        MemorySegment kept = bridge.alloc(64);
        bridge.alloc(4096);
        bridge.free(kept);
        assertEquals(1, usr.live());
        bridge.close();
        bridge.close();
        assertEquals(0, usr.live(), "close freed what was still allocated");
    }
}
