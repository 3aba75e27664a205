package io.ringkv.server.config;

/** A configuration value or directive that cannot be accepted; the message is Redis's reason. */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
