package dev.wdmm.core;

import dev.wdmm.api.WdMmBridge;
import dev.wdmm.tck.IovaOracle;
import dev.wdmm.tck.WdMmBridgeContractTest;

/**
 * The bridge contract over {@link WdMmBridge#of} with callbacks over a pool the caller owns
 * (memory that stays mapped after {@code free}, as in most C code). One rule is switched off by
 * the explicit override of {@link #closeReleasesMemory()}, because a callback bridge cannot promise
 * it: "segments of a closed bridge throw on access"
 * ({@code segmentsOfAClosedBridgeThrowOnAccessInsteadOfTouchingReleasedMemory}). The segments are
 * the ones the {@code alloc} callback returned, with the callback's scope, so whether they throw
 * after close depends on the {@code free} callback, not on the bridge; the test checks the
 * converse instead (close leaves the pool's memory mapped and intact). Every other rule holds.
 */
class CallbackBridgeOverPoolContractTest extends WdMmBridgeContractTest {

    /** The callbacks map identically (IOVA = address). */
    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.identity();
    }

    @Override
    protected WdMmBridge newBridge() {
        return CallbackUsr.Pool.bridge(new CallbackUsr.Pool());
    }

    /** The pool, not the bridge, owns the memory: closing the bridge cannot end the segments' scope. */
    @Override
    protected boolean closeReleasesMemory() {
        return false;
    }
}
