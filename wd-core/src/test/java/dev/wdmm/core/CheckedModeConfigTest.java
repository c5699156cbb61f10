package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.memory.alloc.CheckedMode;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code wd.mm.checked} reaches a backend's options from a system property or the environment, like every key. */
class CheckedModeConfigTest {
    private static CheckedMode resolve(Map<String, String> system, Map<String, String> env) {
        return CheckedMode.from(ConfigSources.of(system, env, Path.of("/nonexistent"))
                .resolve(Optional.empty(), Map.of())
                .options());
    }

    @Test
    void theKeyIsTheOptionsName() {
        assertEquals(CheckedMode.CHECKED.name(), WdMmProperties.CHECKED);
    }

    @Test
    void systemPropertyAndEnvironmentTurnItOn() {
        assertFalse(resolve(Map.of(), Map.of()).enabled());
        assertTrue(resolve(Map.of("wd.mm.checked", "true"), Map.of()).enabled());
        assertTrue(resolve(Map.of(), Map.of("WD_MM_CHECKED", "true")).enabled());
        assertFalse(resolve(Map.of("wd.mm.checked", "false"), Map.of("WD_MM_CHECKED", "true"))
                .enabled());
        assertEquals(
                new CheckedMode(true, 4096, CheckedMode.DEFAULT_QUARANTINE_COUNT),
                resolve(Map.of("wd.mm.checked", "true", "wd.mm.checked.quarantine-bytes", "4k"), Map.of()));
    }
}
