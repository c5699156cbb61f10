package dev.wdmm.spi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WdArgumentsTest {
    @Test
    void matchingIovaPasses() {
        assertDoesNotThrow(
                () -> WdArguments.requireMatchingIova(0x7f00_0000_1000L, 64, 0x1_2345_6000L, 0x1_2345_6000L));
    }

    @Test
    void mismatchingIovaIsRefusedNamingTheRangeAndBothIovas() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> WdArguments.requireMatchingIova(0x7f00_0000_1000L, 64, 0x1000L, 0x1_2345_6000L));
        assertEquals(
                "iova=0x1000 does not match va=0x7f0000001000 size=64, which maps to iova=0x123456000", e.getMessage());
    }
}
