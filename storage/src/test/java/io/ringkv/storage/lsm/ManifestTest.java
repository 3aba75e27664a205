package io.ringkv.storage.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringkv.storage.CorruptionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

    @TempDir
    Path dir;

    private final Manifest sample = new Manifest(17, 12345, List.of(
            new Manifest.TableMeta(3, 4096, 100, 1, 100),
            new Manifest.TableMeta(9, 8192, 150, 101, 400)));

    @Test
    void roundTripsThroughTheFile() throws IOException {
        assertNull(Manifest.read(dir));
        sample.write(dir);
        assertEquals(sample, Manifest.read(dir));
        assertEquals(Manifest.HEADER_BYTES + 2 * Manifest.TABLE_BYTES + 4, Files.size(dir.resolve(Manifest.FILE)));
        assertEquals(List.of(dir.resolve(Manifest.FILE)), Files.list(dir).toList(), "no temp file left");
    }

    @Test
    void everyFlippedBitAndEveryTruncationIsCorruption() {
        byte[] good = sample.encode();
        Path file = dir.resolve(Manifest.FILE);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(CorruptionException.class, () -> Manifest.decode(file, bad), "bit " + bit);
        }
        for (int length = 0; length < good.length; length++) {
            byte[] bad = Arrays.copyOf(good, length);
            assertThrows(CorruptionException.class, () -> Manifest.decode(file, bad), "length " + length);
        }
    }

    @Test
    void tableFileNamesRoundTrip() {
        assertEquals(42, Manifest.tableId(Manifest.tableFile(dir, 42).getFileName().toString()));
        assertEquals(-1, Manifest.tableId("table-00000000000000000042.sst.tmp"));
        assertEquals(-1, Manifest.tableId("MANIFEST"));
    }
}
