package io.ringkv.server.resp;

/**
 * A request the server cannot parse. Travels down the pipeline as a message (not an exception)
 * so that the replies to the commands decoded before it are written first, then this error, and
 * only then the connection is closed, which is the order Redis answers in.
 *
 * @param reason Redis's text after "Protocol error: ", e.g. "invalid bulk length"
 * @param reply whether to answer before closing (Redis closes silently on an overlong query buffer)
 */
public record ProtocolError(String reason, boolean reply) {

    public String errorText() {
        return "ERR Protocol error: " + reason;
    }
}
