package dev.wdmm.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wdmm.api.IommuMode;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModeDetectorTest {

    static Path fixture(String name) {
        try {
            return Path.of(ModeDetectorTest.class
                    .getClassLoader()
                    .getResource("fixtures/" + name)
                    .toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static Detection detect(String name) {
        return ModeDetector.fromRoot(fixture(name)).detect();
    }

    private static void assertEvidence(Detection detection, String fragment) {
        assertTrue(
                detection.evidence().stream().anyMatch(line -> line.contains(fragment)),
                "evidence must mention " + fragment + ": " + detection.evidence());
    }

    @Test
    void uacceFlagsWithBitZeroMeanSvaEvenWithTranslatedGroups() {
        Detection detection = detect("sva");
        assertEquals(IommuMode.SVA, detection.mode());
        assertEvidence(detection, "sys/class/uacce/hisi_zip-0/flags=0x81: bit0=SVA bit7=IOMMU");
        assertEvidence(detection, "sys/class/uacce/hisi_sec2-1/flags=128: bit7=IOMMU");
    }

    @Test
    void uacceNoIommuFlagMeansNoIommu() {
        Detection detection = detect("uacce-noiommu");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEvidence(detection, "flags=2: bit1=no-IOMMU");
    }

    @Test
    void emptyTreeMeansNoIommu() {
        Detection detection = detect("empty");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEvidence(detection, "sys/class/iommu: no IOMMU units");
        assertTrue(detection.hugepages().isEmpty());
    }

    @Test
    void plainMachineIsNoIommuAndReportsHugepages() {
        Detection detection = detect("noiommu");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEquals(
                List.of(new Detection.HugepagePool(2L << 20, 64, 60), new Detection.HugepagePool(1L << 30, 0, 0)),
                detection.hugepages(),
                "sorted by page size");
        assertEvidence(detection, "hugepages-2048kB: nr_hugepages=64 free_hugepages=60");
        assertEvidence(detection, "proc/cmdline: no IOMMU option");
    }

    @Test
    void identityGroupsMeanPassthrough() {
        Detection detection = detect("passthrough-groups");
        assertEquals(IommuMode.PASSTHROUGH, detection.mode());
        assertEvidence(detection, "sys/kernel/iommu_groups/0/type=identity");
    }

    @Test
    void iommuPtOnTheCommandLineMeansPassthrough() {
        Detection detection = detect("passthrough-cmdline");
        assertEquals(IommuMode.PASSTHROUGH, detection.mode());
        assertEvidence(detection, "iommu=pt");
    }

    @Test
    void dmaAndDmaFqGroupsMeanTranslated() {
        Detection detection = detect("translated");
        assertEquals(IommuMode.TRANSLATED, detection.mode());
        assertEvidence(detection, "type=DMA-FQ");
        assertEvidence(detection, "2 DMA/DMA-FQ, 1 identity: TRANSLATED");
    }

    @Test
    void intelIommuOffMeansNoIommuDespiteUnits() {
        Detection detection = detect("iommu-off");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEvidence(detection, "intel_iommu=off");
    }

    @Test
    void amdIommuOffMeansNoIommu() {
        Detection detection = detect("amd-iommu-off");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEvidence(detection, "amd_iommu=off");
    }

    @Test
    void iommuPassthroughParameterMeansPassthrough() {
        Detection detection = detect("passthrough-param");
        assertEquals(IommuMode.PASSTHROUGH, detection.mode());
        assertEvidence(detection, "iommu.passthrough=1: identity domains");
    }

    @Test
    void iommuPtWithoutAnyIommuUnitIsNoIommu() {
        Detection detection = detect("pt-without-unit");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEvidence(detection, "iommu=pt but no IOMMU unit exists");
    }

    @Test
    void vfioNoIommuModeMeansNoIommu() {
        Detection detection = detect("vfio-noiommu");
        assertEquals(IommuMode.NO_IOMMU, detection.mode());
        assertEvidence(detection, "enable_unsafe_noiommu_mode=Y: VFIO no-IOMMU mode on");
    }

    @Test
    void malformedFilesFailNamingTheFileAndContent() {
        assertMalformed("malformed-flags", "hisi_zip-0/flags", "content='sva please'");
        assertMalformed("malformed-type", "iommu_groups/0/type", "content='translated-ish'");
        assertMalformed("malformed-vfio", "enable_unsafe_noiommu_mode", "content='maybe'");
        assertMalformed("malformed-hugepages", "nr_hugepages", "content='lots'");
    }

    private static void assertMalformed(String fixture, String file, String content) {
        WdDetectionException e = assertThrows(WdDetectionException.class, () -> detect(fixture));
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(content), e.getMessage());
    }

    @Test
    void missingRootIsNoIommuNotACrash() {
        assertEquals(
                IommuMode.NO_IOMMU,
                ModeDetector.fromRoot(Path.of("/nonexistent-wd-mm-root"))
                        .detect()
                        .mode());
    }

    @Test
    void thisMachineIsNoIommu() {
        Detection detection = ModeDetector.fromRoot(Path.of("/")).detect();
        assertEquals(IommuMode.NO_IOMMU, detection.mode(), detection.evidence().toString());
        assertEvidence(detection, "=> NO_IOMMU");
    }
}
