package io.ringkv.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link CompatServer} for a test class that drives a command-line tool (redis-cli,
 * redis-benchmark): the class is skipped when the tool is not installed, the server is started
 * before the first test and stopped after the last, and every test starts from an empty
 * database (FLUSHALL over a raw connection).
 *
 * <pre>
 * &#64;RegisterExtension
 * static final ToolTestServer server = new ToolTestServer("redis-cli");
 * ... server.port() ...
 * </pre>
 */
final class ToolTestServer implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final String tool;
    private CompatServer server;

    ToolTestServer(String tool) {
        this.tool = tool;
    }

    int port() {
        return server.port();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        assumeTrue(ExternalCommand.installed(tool), tool + " is not installed");
        server = CompatServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        try (RawConnection c = RawConnection.open(server.port())) {
            assertEquals("OK", c.call("FLUSHALL"));
        }
    }
}
