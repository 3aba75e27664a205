package io.ringkv.storage.lsm;

import io.ringkv.storage.Engine;
import io.ringkv.storage.EngineContractTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.io.TempDir;

/** The Engine contract against the LSM engine, with settle() flushing so that reads also come from tables. */
class LsmEngineContractTest extends EngineContractTest {

    @TempDir
    Path dir;

    @Override
    protected Engine newEngine() throws Exception {
        return LsmEngine.open(LsmTesting.options(dir, 64 * 1024),
                Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC), m -> { });
    }

    @Override
    protected void settle() throws Exception {
        ((LsmEngine) engine).flush();
    }
}
