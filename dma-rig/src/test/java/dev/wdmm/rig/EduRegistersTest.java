package dev.wdmm.rig;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EduRegistersTest {

    @Test
    void commandEncodesRunAndDirection() {
        assertEquals(0x1, EduRegisters.command(false));
        assertEquals(0x3, EduRegisters.command(true));
    }

    @Test
    void identificationOfQemuEduIsRecognised() {
        assertTrue(EduRegisters.isEdu(0x010000ed));
        assertFalse(EduRegisters.isEdu(0x020000ed));
        assertFalse(EduRegisters.isEdu(0xffffffff));
    }

    @Test
    void transferEndingOnTheLastBufferByteIsRefusedBecauseQemuAbortsOnIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EduRegisters.checkTransfer(0, 4096));
        assertEquals("length=4096 must be in [1, 4095]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EduRegisters.checkTransfer(1, 4095));
        assertDoesNotThrow(() -> EduRegisters.checkTransfer(0, 4095));
        assertDoesNotThrow(() -> EduRegisters.checkTransfer(4094, 1));
    }

    @Test
    void emptyOrNegativeTransfersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> EduRegisters.checkTransfer(0, 0));
        assertThrows(IllegalArgumentException.class, () -> EduRegisters.checkTransfer(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> EduRegisters.checkTransfer(Integer.MAX_VALUE, 10));
    }
}
