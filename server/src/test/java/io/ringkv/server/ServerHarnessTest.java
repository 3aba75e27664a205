package io.ringkv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class ServerHarnessTest {

    @Test
    void unknownCommandGetsRedisText() {
        ServerHarness h = new ServerHarness();
        assertEquals("-ERR unknown command 'nosuch', with args beginning with: 'a' 'b' \r\n",
            h.call("nosuch", "a", "b"));
        assertEquals("-ERR unknown command 'nosuch', with args beginning with: \r\n", h.call("nosuch"));
    }

    @Test
    void protocolErrorIsAnsweredThenTheConnectionCloses() {
        ServerHarness h = new ServerHarness();
        assertEquals("-ERR Protocol error: invalid multibulk length\r\n", h.raw("*abc\r\n"));
        assertFalse(h.isOpen());
    }
}
