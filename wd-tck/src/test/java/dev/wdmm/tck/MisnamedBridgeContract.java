package dev.wdmm.tck;

import dev.wdmm.api.WdMmBridge;

/**
 * A correct bridge contract with a name Surefire's default includes skip: the provider contract's
 * self-check must name it ({@link KitCatchesBrokenBackendsTest}).
 */
class MisnamedBridgeContract extends WdMmBridgeContractTest {
    @Override
    protected WdMmBridge newBridge() {
        return ArenaBridge.identity();
    }

    @Override
    protected IovaOracle iovaOracle() {
        return IovaOracle.identity();
    }
}
