package dev.wdmm.spi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WdOptionsTest {
    private static final WdOption<Boolean> PREFAULT = WdOption.bool("wd.mm.demo.prefault", false, "demo");
    private static final WdOption<Long> SIZE = WdOption.size("wd.mm.demo.size", 4096, 1, 1L << 30, "demo");

    @Test
    void knownNamesAndNamesOutsideThePrefixAreAccepted() {
        WdOptions options = WdOptions.fromText(Map.of(
                "wd.mm.demo.prefault", "true", "wd.mm.demo.size", "2m", "wd.mm.other.x", "1", "wd.mm.backend", "demo"));
        assertDoesNotThrow(() -> options.requireKnown("wd.mm.demo.", List.of(PREFAULT, SIZE)));
        assertEquals(2L << 20, options.get(SIZE));
    }

    @Test
    void unknownNameUnderThePrefixIsRefusedNamingItAndTheKnownOnes() {
        WdOptions options = WdOptions.fromText(Map.of("wd.mm.demo.prefualt", "true", "wd.mm.other.x", "1"));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> options.requireKnown("wd.mm.demo.", List.of(SIZE, PREFAULT)));
        assertEquals(
                "wd.mm.demo.prefualt=true is not an option under wd.mm.demo.; known: "
                        + "[wd.mm.demo.prefault, wd.mm.demo.size]",
                e.getMessage());
    }

    @Test
    void typedValueOfAnUnknownNameIsRefusedToo() {
        WdOption<Long> stray = WdOption.size("wd.mm.demo.stray", 1, 1, 8, "not known to the backend");
        WdOptions options = WdOptions.empty().with(stray, 8L);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> options.requireKnown("wd.mm.demo.", List.of(PREFAULT)));
        assertEquals(
                "wd.mm.demo.stray=8 is not an option under wd.mm.demo.; known: [wd.mm.demo.prefault]", e.getMessage());
    }

    @Test
    void namespaceWithoutOptionsRefusesEveryNameUnderIt() {
        WdOptions options = WdOptions.fromText(Map.of("wd.mm.demo.anything", "x"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> options.requireKnown("wd.mm.demo.", List.of()));
        assertEquals(
                "wd.mm.demo.anything=x is not an option under wd.mm.demo.; known: none (this namespace has no "
                        + "options)",
                e.getMessage());
    }

    @Test
    void emptyOptionsPassAnyCheck() {
        assertDoesNotThrow(() -> WdOptions.empty().requireKnown("wd.mm.demo.", List.of()));
    }
}
