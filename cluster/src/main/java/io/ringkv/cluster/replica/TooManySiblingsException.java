package io.ringkv.cluster.replica;

/** A coordinated write would leave a key with more than max-siblings versions. */
public final class TooManySiblingsException extends RuntimeException {

    /** The refusal as another node reported it. */
    public TooManySiblingsException(String message) {
        super(message);
    }

    public TooManySiblingsException(int siblings, int limit) {
        super("the key would have " + siblings + " siblings, more than max-siblings " + limit
            + "; read them with KV.GET and write with its CONTEXT to resolve them");
    }
}
