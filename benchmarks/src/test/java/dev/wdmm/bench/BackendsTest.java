package dev.wdmm.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void absentBackendFailsNamingItAndTheOnesFound() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.open("no-such-backend"));
        assertTrue(e.getMessage().contains("backend=no-such-backend not found"), e.getMessage());
        assertTrue(e.getMessage().contains("bench-unavailable"), e.getMessage());
    }

    @Test
    void unavailableBackendFailsWithItsReasonAndFixBeforeOpening() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.open("bench-unavailable"));
        assertTrue(e.getMessage().contains("backend=bench-unavailable unavailable: no such device"), e.getMessage());
        assertTrue(e.getMessage().contains("fix: plug one in"), e.getMessage());
    }
}
